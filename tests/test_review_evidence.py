"""The review page shows what is being approved (issue 16): metadata by block, the
completeness result, a preview of the data with the MS-Var of each column, and for an
update of a published dataset what changed against the published version (metadata
before/after; DataStore rows added, changed and removed, per period, browsable).

Pages are requested as the world's users with their API tokens, on an app of their own
(see ckanext/verifikasi/tests/test_pages.py for why). Assertions are on ids, data
attributes and numbers, not on translated text.
"""
from __future__ import annotations

import re
from typing import Any

import pytest
from ckan.tests.helpers import call_action

from ckanext.verifikasi import published_data, review
from ckanext.verifikasi.tests.world import make_world

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index",
                                     "with_request_context")

FIELDS = [{"id": "periode", "type": "text"}, {"id": "kecamatan", "type": "text"},
          {"id": "jumlah", "type": "int"}]


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def web(make_app):
    return make_app()


def get(web, world, who, url, status=200, **kwargs):
    if who == "sysadmin":  # made without a token: the test server's REMOTE_USER
        res = web.get(url, extra_environ={"REMOTE_USER": world.users[who]["name"]}, **kwargs)
    else:
        headers = {"Authorization": world.users[who]["token"]} if who else {}
        res = web.get(url, headers=headers, **kwargs)
    assert res.status_code == status, (who, res.status_code, res.body[:1500])
    return res.body


def _rows(period: str, count: int, base: int = 0) -> list[dict[str, Any]]:
    return [{"periode": period, "kecamatan": f"Kecamatan {i:03d}", "jumlah": base + i}
            for i in range(count)]


def _published_with_table(world) -> tuple[dict[str, Any], str]:
    """A published dataset with a table of 2024 and 2025 rows (10 each)."""
    ds = world.dataset(title="Jumlah Posyandu 2024")
    table = call_action("datastore_create", world.context("operator"),
                        resource={"package_id": ds["id"], "name": "Tabel Posyandu"},
                        fields=FIELDS, records=_rows("2024", 10) + _rows("2025", 10))
    world.publish(ds["id"])
    return ds, table["resource_id"]


def _update(world, ds: dict[str, Any], table_id: str) -> None:
    """An update: new title and description, 3 rows added (2026), 2 changed (2025),
    1 removed (2024)."""
    ctx = world.context("operator")
    call_action("package_patch", ctx, id=ds["id"], title="Jumlah Posyandu 2025",
                notes="Data diperbarui dengan periode 2026")
    call_action("datastore_upsert", ctx, resource_id=table_id, method="insert",
                records=_rows("2026", 3))
    call_action("datastore_records_delete", ctx, resource_id=table_id,
                filters={"periode": "2024", "kecamatan": "Kecamatan 009"})
    for i in (1, 2):
        call_action("datastore_records_delete", ctx, resource_id=table_id,
                    filters={"periode": "2025", "kecamatan": f"Kecamatan {i:03d}"})
    call_action("datastore_upsert", ctx, resource_id=table_id, method="insert",
                records=[{"periode": "2025", "kecamatan": f"Kecamatan {i:03d}",
                          "jumlah": 500 + i} for i in (1, 2)])


def _diff_counts(body: str, table_id: str) -> dict[str, int]:
    match = re.search(rf'id="perubahan-{table_id}"\s+data-added="(\d+)" '
                      r'data-changed="(\d+)"\s+data-removed="(\d+)"', body)
    assert match, body[:3000]
    return dict(zip(("added", "changed", "removed"), map(int, match.groups()), strict=True))


def test_metadata_before_and_after_of_an_update(world, web):
    ds = world.dataset(title="Jumlah Posyandu 2024")
    world.publish(ds["id"])
    call_action("package_patch", world.context("operator"), id=ds["id"],
                klasifikasi_akses="terbatas", title="Jumlah Posyandu 2025")
    call_action("verifikasi_submit", world.context("operator"), id=ds["id"])

    body = get(web, world, "verifikator", f"/verifikasi/dataset/{ds['name']}")
    changes = body[body.index('id="verifikasi-review-metadata-changes"'):]
    changes = changes[:changes.index("</table>")]
    found = re.findall(r'<tr data-field="([^"]+)">(.*?)</tr>', changes, re.S)
    assert [name for name, _ in found] == ["title", "klasifikasi_akses"]  # the form's order
    rows = dict(found)
    before, after = re.findall(r'class="verifikasi-(?:before|after)[^"]*"[^>]*>(.*?)</td>',
                               rows["title"], re.S)
    assert "Jumlah Posyandu 2024" in before and "Jumlah Posyandu 2025" in after
    # The block holding a changed field is marked and open; the check passed.
    assert 'data-field="title" class="table-warning"' in body
    assert 'data-complete="true"' in body


def test_metadata_changes_compare_values_not_encodings():
    published = {"title": "A", "wilayah": '["35.14"]', "notes": "", "tags": [{"name": "x"}],
                 "metadata_modified": "2026-01-01", "resources": []}
    live = {"title": "B", "wilayah": ["35.14"], "notes": None, "tags": [{"name": "y"}],
            "metadata_modified": "2026-02-01", "resources": []}
    assert review.metadata_changes(published, live) == [
        {"field": "title", "before": "A", "after": "B"},
        {"field": "tags", "before": "x", "after": "y"}]


def test_rows_added_changed_removed_per_period_after_an_update(world, web):
    ds, table_id = _published_with_table(world)
    _update(world, ds, table_id)
    assert published_data.kept_table(table_id)  # the published copy, with other _ids
    call_action("verifikasi_submit", world.context("operator"), id=ds["id"])

    layout = review.layouts([table_id])[table_id]
    assert layout.key == ["periode", "kecamatan"] and layout.period == "periode"
    diff = review.table_diff(layout)
    assert diff.counts == {"added": 3, "changed": 2, "removed": 1}
    assert diff.by_period == [
        {"period": "2024", "added": 0, "changed": 0, "removed": 1},
        {"period": "2025", "added": 0, "changed": 2, "removed": 0},
        {"period": "2026", "added": 3, "changed": 0, "removed": 0}]

    body = get(web, world, "verifikator", f"/verifikasi/dataset/{ds['name']}")
    assert _diff_counts(body, table_id) == {"added": 3, "changed": 2, "removed": 1}
    assert 'data-period="2026"' in body
    # Preview and MS-Var of the live table.
    assert 'class="table table-sm table-striped verifikasi-review-preview"' in body
    assert 'data-column="jumlah"' in body

    # The browsable list: changed rows show before and after.
    body = get(web, world, "walidata",
               f"/verifikasi/dataset/{ds['name']}?tabel={table_id}&jenis=changed")
    listed = body[body.index('class="verifikasi-diff-rows'):]
    assert listed.count('data-kind="changed"') == 2
    assert "<del>1</del>" in listed and ">501<" in listed
    body = get(web, world, "walidata", f"/verifikasi/dataset/{ds['name']}?tabel={table_id}")
    listed = body[body.index('class="verifikasi-diff-rows'):]
    assert [listed.count(f'data-kind="{k}"') for k in ("added", "changed", "removed")] == \
        [3, 2, 1]


def test_the_list_of_changes_is_paged(world):
    ds, table_id = _published_with_table(world)
    call_action("datastore_upsert", world.context("operator"), resource_id=table_id,
                method="insert", records=_rows("2026", 120))
    layout = review.layouts([table_id])[table_id]
    first = review.table_rows(layout, "added", 50, 0)
    last = review.table_rows(layout, "added", 50, 100)
    assert len(first) == 50 and len(last) == 20
    assert first[0]["after"] == ["2026", "Kecamatan 000", "0"]
    assert {tuple(r["after"]) for r in first}.isdisjoint({tuple(r["after"]) for r in last})


def test_a_table_without_key_counts_a_change_as_removed_and_added(world):
    ds = world.dataset()
    table = call_action("datastore_create", world.context("operator"),
                        resource={"package_id": ds["id"], "name": "Angka"},
                        fields=[{"id": "a", "type": "int"}, {"id": "b", "type": "int"}],
                        records=[{"a": 1, "b": 2}, {"a": 1, "b": 2}, {"a": 3, "b": 4}])
    world.publish(ds["id"])
    call_action("datastore_records_delete", world.context("operator"),
                resource_id=table["resource_id"], filters={"a": 3})
    call_action("datastore_upsert", world.context("operator"),
                resource_id=table["resource_id"], method="insert",
                records=[{"a": 3, "b": 5}, {"a": 1, "b": 2}])
    layout = review.layouts([table["resource_id"]])[table["resource_id"]]
    assert layout.key == [] and layout.period is None
    # A third copy of a duplicated row is one row added (EXCEPT ALL).
    assert review.table_diff(layout).counts == {"added": 2, "changed": 0, "removed": 1}


def test_a_unique_key_is_used_and_added_columns_still_compare(world):
    ds = world.dataset()
    table = call_action("datastore_create", world.context("operator"),
                        resource={"package_id": ds["id"], "name": "Kode"},
                        fields=[{"id": "kode", "type": "text"}, {"id": "nama", "type": "text"}],
                        primary_key=["kode"],
                        records=[{"kode": "01", "nama": "Satu"}, {"kode": "02", "nama": "Dua"}])
    world.publish(ds["id"])
    rid = table["resource_id"]
    call_action("datastore_create", world.context("operator"), resource_id=rid,
                fields=[{"id": "kode", "type": "text"}, {"id": "nama", "type": "text"},
                        {"id": "catatan", "type": "text"}], primary_key=["kode"])
    call_action("datastore_upsert", world.context("operator"), resource_id=rid,
                method="upsert", records=[{"kode": "02", "nama": "Dua Baru"}])
    layout = review.layouts([rid])[rid]
    assert layout.key == ["kode"] and layout.added_columns == ["catatan"]
    assert review.table_diff(layout).counts == {"added": 0, "changed": 1, "removed": 0}


@pytest.mark.parametrize("who, status", [
    ("operator", 200), ("verifikator", 200), ("walidata", 200), ("sysadmin", 200),
    ("other_operator", 403), ("other_verifikator", 403), ("stranger", 403)])
def test_who_sees_the_review_page_and_its_diff(world, web, who, status):
    ds, table_id = _published_with_table(world)
    _update(world, ds, table_id)
    url = f"/verifikasi/dataset/{ds['name']}?tabel={table_id}&jenis=changed"
    body = get(web, world, who, url, status)
    if status == 200:
        assert _diff_counts(body, table_id)["changed"] == 2
    else:
        # Nothing of the update leaks to outsiders: not the new title, nor a changed row.
        for secret in ("Jumlah Posyandu 2025", "perubahan-", "verifikasi-review", "501"):
            assert secret not in body, (who, secret)


def test_anonymous_is_sent_to_login_without_the_diff(world, web):
    ds, table_id = _published_with_table(world)
    _update(world, ds, table_id)
    res = web.get(f"/verifikasi/dataset/{ds['name']}?tabel={table_id}", follow_redirects=False)
    assert res.status_code == 302 and "/user/login" in res.headers["Location"]
    assert "Jumlah Posyandu 2025" not in res.body and "perubahan-" not in res.body


def test_bad_list_arguments_answer_4xx(world, web):
    ds, table_id = _published_with_table(world)
    _update(world, ds, table_id)
    other, other_table = _published_with_table(world)
    url = f"/verifikasi/dataset/{ds['name']}"
    get(web, world, "verifikator", f"{url}?tabel={table_id}&halaman=abc", 400)
    get(web, world, "verifikator", f"{url}?tabel={table_id}&jenis=semua", 400)
    # A table of another dataset is not compared here (authorization follows the page's
    # dataset, not the argument).
    get(web, world, "verifikator", f"{url}?tabel={other_table}", 404)


def test_a_table_removed_by_the_update_counts_its_rows_removed(world, web):
    ds, table_id = _published_with_table(world)
    call_action("package_patch", world.context("operator"), id=ds["id"], title="Tanpa tabel")
    call_action("resource_delete", world.context("operator"), id=table_id)
    body = get(web, world, "verifikator", f"/verifikasi/dataset/{ds['name']}")
    assert _diff_counts(body, table_id) == {"added": 0, "changed": 0, "removed": 20}
    assert f'id="perubahan-{table_id}"' in body and 'data-status="gone"' in body
    assert 'data-change="removed"' in body  # the resource, in the metadata changes


def test_an_incomplete_dataset_shows_what_is_missing_by_block(world, web):
    ds = world.dataset()
    call_action("package_patch", world.context("operator"), id=ds["id"], notes="")
    body = get(web, world, "verifikator", f"/verifikasi/dataset/{ds['name']}")
    review_part = body[body.index('id="verifikasi-review-completeness"'):]
    assert 'data-complete="false"' in review_part
    assert re.search(r'data-page="1">.*?<li data-field="notes"><a href="[^"]+#field-notes"',
                     review_part, re.S)
