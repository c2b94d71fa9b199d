"""`ckan satudata seed-demo` loads the demo through the real actions, idempotently."""
from __future__ import annotations

import pytest
from ckan.cli.cli import ckan
from ckan.tests.helpers import call_action

from ckanext.satudata import demo, wilayah


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_seed_demo_creates_opds_users_and_datastore_tables():
    summary = demo.seed()

    orgs = call_action("organization_list")
    assert set(orgs) == {o["name"] for o in demo.ORGANIZATIONS}
    assert summary["datasets"] == len(demo.DATASETS)
    assert call_action("user_show", id="operator-dinkes")["name"] == "operator-dinkes"
    members = call_action("member_list", id="dinkes", object_type="user")
    capacities = {call_action("user_show", id=uid)["name"]: cap.lower() for uid, _, cap in members}
    assert capacities["verifikator-dinkes"] == "editor"
    assert capacities["surveyor-dinkes"] == "member"

    found = call_action("package_search", q="ternak")
    assert "populasi-ternak-per-kecamatan-2025" in {d["name"] for d in found["results"]}

    pkg = call_action("package_show", id="populasi-ternak-per-kecamatan-2025")
    rows = call_action("datastore_search", resource_id=pkg["resources"][0]["id"], limit=100)
    assert rows["total"] == len(wilayah.kecamatan()) == 24
    assert rows["records"][0]["kode_kecamatan"] == "35.14.01"


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_seed_demo_twice_changes_nothing(cli, sysadmin_context):
    first = cli.invoke(ckan, ["satudata", "seed-demo"])
    assert first.exit_code == 0, first.output
    before = call_action("package_search", rows=0)["count"]
    pkg = call_action("package_show", id="produksi-susu-sapi-perah-2025")
    call_action("package_patch", sysadmin_context, id=pkg["id"], notes="Diubah oleh operator")

    second = cli.invoke(ckan, ["satudata", "seed-demo"])

    assert second.exit_code == 0, second.output
    assert call_action("package_search", rows=0)["count"] == before == len(demo.DATASETS)
    assert call_action("package_show", id=pkg["id"])["notes"] == "Diubah oleh operator"
    assert "5 OPD" in second.output

