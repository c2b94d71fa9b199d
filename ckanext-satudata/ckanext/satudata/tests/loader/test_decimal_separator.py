"""The loader and numbers like 15.085 (15085 or 15.085?): decided per column, never guessed."""
from __future__ import annotations

import re
from typing import Any

import pytest
from ckan.tests import factories as core_factories
from ckan.tests.helpers import call_action

from ckanext.satudata.loader import run
from ckanext.satudata.tests import factories

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_datastore", "clean_queue")

AMBIGUOUS = ["15.085", "82.127", "5.800"]


def _csv(values: list[str]) -> str:
    return "kode;nilai\n" + "".join(f"{i:05d};{v}\n" for i, v in enumerate(values, 1))


def _real_looking() -> list[str]:
    """988 of 1,000 values like 15.085, twelve whole numbers: as in the report."""
    return [AMBIGUOUS[i % 3] for i in range(988)] + ["12", "7", "100"] * 4


def _first(rid: str, n: int = 3) -> list[Any]:
    records = call_action("datastore_search", resource_id=rid, sort="_id", limit=n)["records"]
    return [r["nilai"] for r in records]


def _type(rid: str) -> str:
    fields = call_action("datastore_info", id=rid)["fields"]
    return next(f["type"] for f in fields if f["id"] == "nilai")


def _status(rid: str) -> dict[str, Any]:
    return call_action("xloader_status", resource_id=rid)["satudata_loader"]


def test_an_ambiguous_column_is_loaded_as_written_with_a_notice_then_as_declared(
        upload_resource, run_worker, app, sysadmin_context):
    org = core_factories.Organization()
    editor = core_factories.User()
    call_action("verifikasi_role_assign", dict(sysadmin_context), user=editor["name"],
                role="operator", organization=org["id"])
    dataset = factories.Dataset(owner_org=org["id"])
    resource = upload_resource(_csv(_real_looking()), "nilai.csv", dataset["id"])
    run_worker()
    rid = resource["id"]
    state = _status(rid)
    assert state["stage"] == "complete", state
    # Text, exactly as written: never 15085, 82127, 5800.
    assert _type(rid) == "text" and _first(rid) == AMBIGUOUS
    assert {c["id"]: c["source"] for c in state["columns"]}["nilai"] == "ambiguous_number"
    [notice] = [n for n in state["notices"] if n.get("column") == "nilai"]
    assert '"nilai"' in notice["message"] and "15.085" in notice["message"]
    assert "row 2" in notice["message"] and "15085" in notice["message"]

    # The editor declares the file's decimal separator on the DataStore tab: loaded again.
    token = core_factories.APIToken(user=editor["name"])["token"]
    client = app.test_client()
    headers = {"Authorization": token}
    url = f"/dataset/{dataset['name']}/resource_data/{rid}"
    page = client.get(url, headers=headers)
    assert page.status_code == 200
    form = page.body.split('id="satudata-loader-decimal"')[1].split("</form>")[0]
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', form).group(1)
    done = client.post(f"{url}/decimal", data={"decimal_separator": ".", "_csrf_token": csrf},
                       headers=headers, follow_redirects=False)
    assert done.status_code == 302
    assert call_action("resource_show", id=rid)["satudata_decimal_separator"] == "."
    run_worker()
    state = _status(rid)
    assert state["stage"] == "complete" and not any(
        n.get("column") == "nilai" for n in state["notices"]), state
    assert _type(rid) == "numeric"
    assert [float(v) for v in _first(rid)] == [15.085, 82.127, 5.8]


def test_a_declared_comma_decimal_file_reads_the_dot_as_thousands(
        upload_resource, run_worker, sysadmin_context):
    resource = upload_resource(_csv(_real_looking()), "nilai.csv", factories.Dataset()["id"],
                               satudata_decimal_separator=",")
    run_worker()
    rid = resource["id"]
    assert _status(rid)["stage"] == "complete"
    assert _type(rid) == "int8" and _first(rid) == [15085, 82127, 5800]
    # Another declaration reloads the same file (its hash alone would skip the load).
    call_action("resource_patch", dict(sysadmin_context), id=rid,
                satudata_decimal_separator=".")
    call_action("xloader_submit", dict(sysadmin_context), resource_id=rid)
    run_worker()
    assert _status(rid)["stage"] == "complete"
    assert _type(rid) == "numeric"
    assert [float(v) for v in _first(rid)] == [15.085, 82.127, 5.8]


@pytest.mark.parametrize("evidence, expected, kind", [
    ("1.234.567", [15085, 82127, 5800], "int8"),
    ("3.14", [15.085, 82.127, 5.8], "numeric"),
])
def test_the_columns_other_numbers_decide(upload_resource, run_worker, tmp_path, evidence,
                                          expected, kind):
    resource = upload_resource(_csv(["1"]), "nilai.csv", factories.Dataset()["id"])
    run_worker()
    path = tmp_path / "nilai.csv"
    path.write_text(_csv([*AMBIGUOUS, evidence] * 20), encoding="utf-8")
    result = run.run_load(resource["id"], str(path), "nilai.csv")
    assert result.rows == 80 and not result.notices
    assert _type(resource["id"]) == kind
    assert [float(v) for v in _first(resource["id"])] == expected


def test_a_declared_decimal_column_fails_instead_of_guessing(
        upload_resource, run_worker, sysadmin_context, create_with_upload):
    resource = upload_resource(_csv(["1,5", "2"]), "nilai.csv", factories.Dataset()["id"])
    run_worker()
    rid = resource["id"]
    call_action("datastore_create", dict(sysadmin_context), resource_id=rid, force=True,
                fields=[{"id": "nilai", "type": "numeric",
                         "info": {"label": "Nilai", "tipe_data": "DECIMAL"}}])
    create_with_upload(_csv(_real_looking()), "nilai.csv", context=dict(sysadmin_context),
                       action="resource_update", id=rid, package_id=resource["package_id"],
                       url="nilai.csv", format="CSV")
    run_worker()
    state = _status(rid)
    assert state["stage"] == "error", state
    [error] = state["errors"]
    assert error["row"] == 2 and error["column"] == "nilai"
    assert "15.085" in error["message"] and "15085" in error["message"]
    assert [float(v) for v in _first(rid)] == [1.5, 2]  # the old table stays


def test_a_late_ambiguous_value_turns_a_guessed_column_to_text(tmp_path, upload_resource,
                                                               run_worker):
    resource = upload_resource(_csv(["1"]), "nilai.csv", factories.Dataset()["id"])
    run_worker()
    path = tmp_path / "nilai.csv"
    # The sample (1000 rows) shows no separator; row 1502 holds 15.085.
    path.write_text(_csv(["12"] * 1500 + AMBIGUOUS), encoding="utf-8")
    result = run.run_load(resource["id"], str(path), "nilai.csv")
    assert result.rows == 1503 and _type(resource["id"]) == "text"
    records = call_action("datastore_search", resource_id=resource["id"],
                          filters={"kode": ["01501", "01502"]}, sort="_id")["records"]
    assert [r["nilai"] for r in records] == ["15.085", "82.127"]
    [notice] = [n for n in result.notices if n.get("column") == "nilai"]
    assert "row 1502" in notice["message"] and "15.085" in notice["message"]
