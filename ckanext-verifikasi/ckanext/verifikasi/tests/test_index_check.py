"""`ckan verifikasi index-check`: drift between the database and Solr is reported and repaired.

Drift is injected behind CKAN's back, as a failed index call would leave it: Solr
documents deleted or added directly, database rows changed with plain SQL.
"""
from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.cli.cli import ckan
from ckan.lib.search.common import SolrSettings, make_connection
from ckan.plugins import toolkit as tk
from ckan.tests.helpers import call_action

from ckanext.verifikasi import index_check
from ckanext.verifikasi.model import WorkflowState


def _sql(statement: str, **params: str) -> None:
    model.Session.execute(sa.text(statement), params)
    model.Session.commit()


def _solr_doc(package_id: str) -> dict:
    docs = make_connection(decode_dates=False).search(
        f'id:"{package_id}"', fl="id,capacity,verifikasi_state:field(verifikasi_state)").docs
    return docs[0] if docs else {}


def _publish_with_table(world, klass: str = "terbuka") -> tuple[dict, str]:
    ds = world.dataset(klass)
    table = call_action(
        "datastore_create", world.context("operator"),
        resource={"package_id": ds["id"], "name": "Tabel", "format": "CSV"},
        fields=[{"id": "kode", "type": "text"}], records=[{"kode": "35.14.01"}])
    world.publish(ds["id"])
    return ds, table["resource_id"]


def test_a_consistent_index_has_no_drift_across_pages(world, monkeypatch):
    draft = world.dataset("terbuka")
    rahasia = world.dataset("rahasia")
    world.publish(rahasia["id"])
    in_review, table = _publish_with_table(world, "terbatas")
    call_action("package_patch", world.context("operator"), id=in_review["id"],
                klasifikasi_akses="terbuka", title="Judul baru")
    call_action("datastore_upsert", world.context("operator"), resource_id=table,
                method="insert", records=[{"kode": "35.14.02"}])
    call_action("verifikasi_submit", world.context("operator"), id=in_review["id"])
    gone = world.dataset("terbuka")
    call_action("package_delete", world.context("operator"), id=gone["id"])
    monkeypatch.setattr(index_check, "PAGE", 2)  # several cursor pages

    report = index_check.check()

    assert report.drifts == []
    assert report.datasets == report.indexed == 3
    assert {draft["id"], rahasia["id"], in_review["id"]} <= set(index_check.index_values())


def test_injected_drift_is_reported_then_repaired(world, cli):
    unindexed, _ = _publish_with_table(world)
    went_back = world.dataset("terbuka")
    world.publish(went_back["id"])
    reclassed = world.dataset("terbuka")
    world.publish(reclassed["id"])
    deleted = world.dataset("terbuka")
    touched = world.dataset("terbuka")
    untouched = world.dataset("terbuka")
    stranger = str(uuid.uuid4())
    solr = make_connection()
    solr.delete(q=f'id:"{unindexed["id"]}"', commit=True)
    solr.add([{"index_id": f"{stranger}x", "id": stranger, "name": "hantu",
               "site_id": tk.config.get("ckan.site_id"), "entity_type": "package",
               "state": "active", "capacity": "public"}], commit=True)
    _sql("UPDATE verifikasi_state SET state = 'submitted' WHERE package_id = :id",
         id=went_back["id"])
    _sql("UPDATE package SET private = true WHERE id = :id", id=went_back["id"])
    _sql("UPDATE package_extra SET value = 'rahasia' WHERE package_id = :id "
         "AND key = 'klasifikasi_akses'", id=reclassed["id"])
    _sql("UPDATE package SET state = 'deleted' WHERE id = :id", id=deleted["id"])
    _sql("UPDATE package SET metadata_modified = metadata_modified + interval '1 hour' "
         "WHERE id = :id", id=touched["id"])

    checked = cli.invoke(ckan, ["verifikasi", "index-check"])

    assert checked.exit_code == 1, checked.output
    lines = [line for line in checked.output.splitlines() if line.startswith("drift ")]
    assert len(lines) == 6, checked.output
    expected = {
        unindexed["id"]: "missing", stranger: "orphan", deleted["id"]: "orphan",
        went_back["id"]: "verifikasi_state 'submitted' != index 'published'",
        reclassed["id"]: "klasifikasi_akses 'rahasia' != index 'terbuka'",
        touched["id"]: "metadata_modified",
    }
    for package_id, words in expected.items():
        assert any(package_id in line and words in line for line in lines), (package_id, lines)
    assert any(went_back["id"] in line and "capacity 'private' != index 'public'" in line
               for line in lines)
    assert untouched["id"] not in checked.output
    # The public still finds the dataset the database has made private.
    assert went_back["id"] in _public_ids()

    repaired = cli.invoke(ckan, ["verifikasi", "index-check", "--repair"])

    assert repaired.exit_code == 0, repaired.output
    assert "4 reindexed, 2 deleted, 0 failed" in repaired.output
    assert index_check.check().drifts == []
    assert _solr_doc(went_back["id"]) == {"id": went_back["id"], "capacity": "private",
                                          "verifikasi_state": "submitted"}
    assert _solr_doc(stranger) == {} and _solr_doc(deleted["id"]) == {}
    assert went_back["id"] not in _public_ids()
    assert unindexed["id"] in _public_ids()
    again = cli.invoke(ckan, ["verifikasi", "index-check"])
    assert again.exit_code == 0 and "0 drifted" in again.output, again.output


def _public_ids() -> set[str]:
    result = call_action("package_search", {"user": "", "ignore_auth": False}, rows=100)
    return {r["id"] for r in result["results"]}


@pytest.fixture
def solr_down():
    """Solr unreachable: the configured URL points at a closed port until the end."""
    saved = (SolrSettings._url, SolrSettings._user, SolrSettings._password)
    SolrSettings.init("http://127.0.0.1:9/solr/ckan")
    yield
    SolrSettings.init(*saved)


def test_a_datastore_write_with_solr_down_leaves_the_dataset_published(world, cli, request):
    ds, table = _publish_with_table(world)
    request.getfixturevalue("solr_down")

    with pytest.raises(Exception, match="(?i)solr|index|connect"):
        call_action("datastore_upsert", world.context("operator"), resource_id=table,
                    method="insert", records=[{"kode": "35.14.02"}])

    model.Session.rollback()
    assert model.Session.get(WorkflowState, ds["id"], populate_existing=True).state == "published"
    SolrSettings.init(tk.config.get("solr_url"))
    assert index_check.check().drifts == []
    rows = call_action("datastore_search", {"user": ""}, resource_id=table)["records"]
    assert [r["kode"] for r in rows] == ["35.14.01"]
