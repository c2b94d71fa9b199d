"""The Indonesian catalogues are complete and keep every placeholder."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
CHECK_PO = ROOT / "scripts" / "check_po.py"
PACKAGES = {
    "ckanext-satudata": ROOT / "ckanext-satudata/ckanext/satudata/i18n",
    "ckanext-verifikasi": ROOT / "ckanext-verifikasi/ckanext/verifikasi/i18n",
}


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CHECK_PO), *args],
                          capture_output=True, text=True, check=False)


@pytest.mark.parametrize("domain", [d for d, p in PACKAGES.items() if (p / f"{d}.pot").exists()])
def test_our_id_catalogue_translates_every_message(domain):
    import polib

    i18n = PACKAGES[domain]
    template = {e.msgid for e in polib.pofile(str(i18n / f"{domain}.pot")) if e.msgid}
    po_path = i18n / "id" / "LC_MESSAGES" / f"{domain}.po"
    translated = {e.msgid for e in polib.pofile(str(po_path)) if e.translated()}
    assert template - translated == set()
    checked = _run(str(po_path))
    assert checked.returncode == 0, checked.stdout


def test_core_completion_catalogue_covers_every_message_ckan_leaves_untranslated():
    po = ROOT / "ckanext-satudata/ckanext/satudata/i18n_core/id/LC_MESSAGES/satudata_core.po"
    checked = _run(str(po), "--covers-ckan-missing")
    assert checked.returncode == 0, checked.stdout[-3000:]


def test_a_message_both_plugins_use_reads_the_same_in_both():
    # CKAN merges every plugin's catalogue into one; for a msgid both define, which
    # translation a page shows depends on plugin order, so they must agree.
    import polib

    def catalogue(domain: str) -> dict[str, str]:
        path = PACKAGES[domain] / "id" / "LC_MESSAGES" / f"{domain}.po"
        return {e.msgid: e.msgstr for e in polib.pofile(str(path))
                if not e.obsolete and not e.msgid_plural and e.msgstr}

    ours, theirs = catalogue("ckanext-satudata"), catalogue("ckanext-verifikasi")
    differing = {m: (ours[m], theirs[m]) for m in ours.keys() & theirs.keys()
                 if ours[m] != theirs[m]}
    assert differing == {}
