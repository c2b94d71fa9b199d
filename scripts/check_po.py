#!/usr/bin/env python3
"""Check a gettext .po catalogue for translation mistakes that break pages.

Usage (with the project venv, which has polib):

    var/venv/bin/python scripts/check_po.py FILE.po [FILE.po ...]
    var/venv/bin/python scripts/check_po.py FILE.po --covers-ckan-missing
    var/venv/bin/python scripts/check_po.py FILE.po --covers-ckan-missing CKAN.pot CKAN_ID.po

For every (non-obsolete) entry it reports:

* an empty msgstr (for plural entries: any missing or empty msgstr[n],
  n < nplurals from the Plural-Forms header);
* a fuzzy entry;
* placeholders that differ between source and translation, compared as
  multisets of tokens: Python %-style (``%(name)s``, ``%s``, ``%d``, ``%i``,
  ``%r``, ``%%``, ...) and str.format style (``{}``, ``{0}``, ``{name}``,
  ``{name!r}``, ``{n:>3}``, ``{{``/``}}``).  For a plural entry the source
  is msgid and msgid_plural together (per token, the larger count of the
  two), because with nplurals=1 msgstr[0] is used for every n;
* HTML tags that differ: same multiset of (tag name, open/close/void);
* HTML entities (``&lt;``, ``&amp;``, ``&#39;`` ...) and link targets
  (``href``/``src`` values) that differ;
* leading/trailing whitespace (spaces, newlines) that differs.

With ``--covers-ckan-missing`` it also checks that the (first) file holds
a translated entry for every msgid of CKAN's ckan.pot that is untranslated
(missing, empty or fuzzy) in CKAN's own Indonesian ckan.po.  The two paths
default to the copies inside the project venv.

Each problem is printed with its msgid; the exit status is 1 if there was
any problem, 0 otherwise.
"""
from __future__ import annotations

import argparse
import glob
import os
import re
import sys
from collections import Counter

import polib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def _default_ckan_paths() -> tuple[str, str]:
    pattern = os.path.join(ROOT, "var", "venv", "lib", "python3*",
                           "site-packages", "ckan", "i18n")
    found = sorted(glob.glob(pattern))
    base = found[-1] if found else pattern.replace("python3*", "python3.11")
    return (os.path.join(base, "ckan.pot"),
            os.path.join(base, "id", "LC_MESSAGES", "ckan.po"))


# %-style: %% or %[(name)][flags][width][.precision][length]type.
# The space flag is left out on purpose: it is almost never used and would
# turn ordinary text such as "50% done" into a "% d" placeholder.
PERCENT_RE = re.compile(
    r"%%|%(?:\([^()]*\))?[#0+-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"
    r"[diouxXeEfFgGcrsa]")
# str.format style: escaped braces, or {field[.attr|[key]][!conv][:spec]}
BRACE_RE = re.compile(
    r"\{\{|\}\}|\{[A-Za-z0-9_]*(?:(?:\.[A-Za-z_]\w*)|\[[^\]{}]*\])*"
    r"(?:![rsa])?(?::[^{}]*)?\}")
TAG_RE = re.compile(r"<\s*(/)?\s*([A-Za-z][A-Za-z0-9-]*)((?:\"[^\"]*\"|'[^']*'|[^'\">])*)>")
ENTITY_RE = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]*|#\d+|#[xX][0-9A-Fa-f]+);")
LINK_RE = re.compile(r"""\b(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "source", "track", "wbr"}


def placeholders(text: str) -> Counter:
    return Counter(PERCENT_RE.findall(text)) + Counter(BRACE_RE.findall(text))


def tags(text: str) -> Counter:
    out: Counter = Counter()
    for m in TAG_RE.finditer(text):
        closing, name, rest = m.group(1), m.group(2).lower(), m.group(3)
        if closing:
            kind = "close"
        elif name in VOID or rest.rstrip().endswith("/"):
            kind = "void"
        else:
            kind = "open"
        out[(name, kind)] += 1
    return out


def entities(text: str) -> Counter:
    return Counter(ENTITY_RE.findall(text))


def links(text: str) -> Counter:
    return Counter(a or b for a, b in LINK_RE.findall(text))


def edges(text: str) -> tuple[str, str]:
    return (text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):])


def fmt_counter(c: Counter) -> str:
    items = []
    for k, n in sorted(c.items(), key=lambda kv: str(kv[0])):
        if isinstance(k, tuple):  # an HTML tag: (name, kind)
            name, kind = k
            k = f"</{name}>" if kind == "close" else (
                f"<{name}/>" if kind == "void" else f"<{name}>")
        items.append(k if n == 1 else f"{k} x{n}")
    return ", ".join(items) or "(none)"


def label(entry: polib.POEntry) -> str:
    s = f"msgid {entry.msgid!r}"
    if entry.msgctxt is not None:
        s = f"msgctxt {entry.msgctxt!r} " + s
    return s


def nplurals_of(po: polib.POFile) -> int | None:
    m = re.search(r"nplurals\s*=\s*(\d+)", po.metadata.get("Plural-Forms", ""))
    return int(m.group(1)) if m else None


def check_entry(entry: polib.POEntry, nplurals: int | None) -> list[str]:
    problems: list[str] = []
    if entry.fuzzy:
        problems.append("fuzzy entry")

    if entry.msgid_plural:
        n = nplurals or 1
        strs = entry.msgstr_plural or {}
        targets = []
        for i in range(n):
            val = strs.get(i, strs.get(str(i), ""))
            if not val:
                problems.append(f"empty msgstr[{i}]")
            else:
                targets.append((f"msgstr[{i}]", val))
        extra = [k for k in strs if int(k) >= n]
        if extra:
            problems.append(f"msgstr index {sorted(extra)} >= nplurals={n}")
        # with one plural form msgstr[0] stands for msgid and msgid_plural
        src_ph = placeholders(entry.msgid) | placeholders(entry.msgid_plural)
        src_tags = tags(entry.msgid) | tags(entry.msgid_plural)
        src_ent = entities(entry.msgid) | entities(entry.msgid_plural)
        src_links = links(entry.msgid) | links(entry.msgid_plural)
        src_edges = {edges(entry.msgid), edges(entry.msgid_plural)}
    else:
        if not entry.msgstr:
            problems.append("empty msgstr")
            targets = []
        else:
            targets = [("msgstr", entry.msgstr)]
        src_ph = placeholders(entry.msgid)
        src_tags = tags(entry.msgid)
        src_ent = entities(entry.msgid)
        src_links = links(entry.msgid)
        src_edges = {edges(entry.msgid)}

    checks = (("placeholders", placeholders, src_ph), ("HTML tags", tags, src_tags),
              ("HTML entities", entities, src_ent), ("link targets", links, src_links))
    for name, text in targets:
        for what, extract, expected in checks:
            found = extract(text)
            if found != expected:
                problems.append(f"{name}: {what} differ: source has "
                                f"{fmt_counter(expected)}; translation has "
                                f"{fmt_counter(found)}")
        if edges(text) not in src_edges:
            problems.append(f"{name}: leading/trailing whitespace differs: "
                            f"source {sorted(src_edges)!r}; translation "
                            f"{edges(text)!r}")
    return problems


def check_header(po: polib.POFile) -> list[str]:
    problems = []
    ctype = po.metadata.get("Content-Type", "")
    if "charset=" not in ctype.lower():
        problems.append("header: Content-Type has no charset")
    has_plural = any(e.msgid_plural for e in po if not e.obsolete)
    if has_plural and nplurals_of(po) is None:
        problems.append("header: plural entries but no Plural-Forms nplurals")
    return problems


def is_translated(entry: polib.POEntry | None) -> bool:
    if entry is None or entry.obsolete or entry.fuzzy:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def ckan_missing(pot_path: str, ckan_po_path: str) -> list[polib.POEntry]:
    pot = polib.pofile(pot_path)
    ckan_po = polib.pofile(ckan_po_path)
    have = {(e.msgctxt, e.msgid): e for e in ckan_po if not e.obsolete}
    return [e for e in pot if not e.obsolete
            and not is_translated(have.get((e.msgctxt, e.msgid)))]


def check_covers(po: polib.POFile, pot_path: str, ckan_po_path: str) -> list[str]:
    problems = []
    ours = {(e.msgctxt, e.msgid): e for e in po if not e.obsolete}
    needed = ckan_missing(pot_path, ckan_po_path)
    for src in needed:
        mine = ours.get((src.msgctxt, src.msgid))
        if mine is None:
            problems.append(f"{label(src)}: untranslated in CKAN's catalogue "
                            "and missing here")
        elif not is_translated(mine):
            problems.append(f"{label(src)}: untranslated in CKAN's catalogue "
                            "and not translated here")
        elif (src.msgid_plural or "") != (mine.msgid_plural or ""):
            problems.append(f"{label(src)}: msgid_plural differs from ckan.pot "
                            f"({src.msgid_plural!r} vs {mine.msgid_plural!r})")
    print(f"  coverage: {len(needed)} msgids untranslated in {ckan_po_path}; "
          f"{len(needed) - len(problems)} covered")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("po", nargs="+", help=".po file(s) to check")
    ap.add_argument("--covers-ckan-missing", nargs="*", metavar="PATH",
                    default=None,
                    help="also check that the first .po covers every msgid "
                         "untranslated in CKAN's id catalogue; optional "
                         "paths: CKAN_POT CKAN_ID_PO (default: the venv's)")
    ap.add_argument("--list-identical", action="store_true",
                    help="also list (not as problems) entries whose "
                         "translation equals the msgid")
    args = ap.parse_args(argv)

    cover_paths = None
    if args.covers_ckan_missing is not None:
        if len(args.covers_ckan_missing) == 0:
            cover_paths = _default_ckan_paths()
        elif len(args.covers_ckan_missing) == 2:
            cover_paths = tuple(args.covers_ckan_missing)
        else:
            ap.error("--covers-ckan-missing takes no path or exactly two: "
                     "CKAN_POT CKAN_ID_PO")
        for p in cover_paths:
            if not os.path.isfile(p):
                ap.error(f"not found: {p}")

    total = 0
    for i, path in enumerate(args.po):
        print(f"{path}:")
        try:
            po = polib.pofile(path)
        except (OSError, ValueError) as exc:
            print(f"  cannot parse: {exc}")
            total += 1
            continue
        nplurals = nplurals_of(po)
        problems = check_header(po)
        for p in problems:
            print(f"  {p}")
        count = len(problems)
        entries = [e for e in po if not e.obsolete]
        for entry in entries:
            for p in check_entry(entry, nplurals):
                print(f"  {label(entry)}: {p}")
                count += 1
            if args.list_identical:
                txt = entry.msgstr_plural.get(0, "") if entry.msgid_plural \
                    else entry.msgstr
                if txt and txt == entry.msgid:
                    print(f"  note: identical to source: {entry.msgid!r}")
        if cover_paths and i == 0:
            for p in check_covers(po, *cover_paths):
                print(f"  {p}")
                count += 1
        print(f"  {len(entries)} entries, {count} problem(s)")
        total += count
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
