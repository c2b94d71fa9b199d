"""Import of numbers like 15.085 (15085 or 15.085?): the dry run asks, apply refuses until told."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests.helpers import call_action

from ckanext.verifikasi.tests.world import make_world
from tests.test_input_packages import _package, _sys, _upload, _workbook

pytestmark = pytest.mark.usefixtures(
    "with_plugins", "clean_db", "clean_index", "with_request_context")

AMBIGUOUS = ["15.085", "82.127", "5.800"]


@pytest.fixture
def world():
    return make_world()


def _file() -> bytes:
    """988 of 1,000 ratios like 15.085, twelve whole ones: as in the report."""
    ratios = [AMBIGUOUS[i % 3] for i in range(988)] + ["12", "7", "100"] * 4
    return _workbook([(f"{i:04d}", f"Desa {i}", i, ratio)
                      for i, ratio in enumerate(ratios, 1)])


def _ratios(world, pkg) -> list[float]:
    records = call_action("datastore_search", _sys(world), resource_id=pkg["resource_id"],
                          sort="_id", limit=5)["records"]
    return [float(r["rasio"]) for r in records]


def test_an_ambiguous_column_is_asked_about_and_never_multiplied(world):
    _, pkg = _package(world)
    op = world.context("operator")
    checked = call_action("satudata_input_import_check", dict(op), id=pkg["id"],
                          period="2025", upload=_upload(_file()))
    summary = checked["summary"]
    [problem] = summary["file_errors"]
    assert problem["code"] == "ambiguous_number" and problem["row"] == 2
    assert problem["value"] == "15.085"
    assert "Rasio" in problem["message"] and "988" in problem["message"]
    assert "15085" in problem["message"] and "15.085" in problem["message"]
    assert summary["rows_valid"] == 0 and summary["decimal_separator"] is None
    for mode in ("all_or_nothing", "valid_only"):
        with pytest.raises(tk.ValidationError, match="'upload'"):
            call_action("satudata_input_import_apply", dict(op), import_id=checked["id"],
                        mode=mode)
    assert call_action("satudata_input_package_show", dict(op), id=pkg["id"])["periods"] == {}

    # The user says the file writes decimals with a dot: checked again, then applied.
    with pytest.raises(tk.ValidationError, match="decimal_separator"):
        call_action("satudata_input_import_check", dict(op), id=pkg["id"], period="2025",
                    import_id=checked["id"], decimal_separator=";")
    checked = call_action("satudata_input_import_check", dict(op), id=pkg["id"],
                          period="2025", import_id=checked["id"], decimal_separator=".")
    assert checked["summary"]["file_errors"] == [] and checked["summary"]["rows_valid"] == 1000
    assert checked["summary"]["decimal_separator"] == "."
    applied = call_action("satudata_input_import_apply", dict(op), import_id=checked["id"])
    assert applied["rows_applied"] == 1000
    assert _ratios(world, pkg) == [15.085, 82.127, 5.8, 15.085, 82.127]


def test_a_declared_comma_decimal_file_groups_thousands_with_the_dot(world):
    _, pkg = _package(world)
    op = world.context("operator")
    checked = call_action("satudata_input_import_check", dict(op), id=pkg["id"],
                          period="2025", upload=_upload(_file()), decimal_separator=",")
    # The summary keeps what the check was told; apply reads the file the same way.
    assert checked["summary"]["file_errors"] == []
    assert checked["summary"]["decimal_separator"] == ","
    call_action("satudata_input_import_apply", dict(op), import_id=checked["id"])
    assert _ratios(world, pkg) == [15085, 82127, 5800, 15085, 82127]


def test_the_import_page_asks_for_the_decimal_separator(world, make_app):
    _, pkg = _package(world)
    op = world.context("operator")
    checked = call_action("satudata_input_import_check", dict(op), id=pkg["id"],
                          period="2025", upload=_upload(_file()))
    dataset = call_action("package_show", _sys(world), id=pkg["package_id"])
    url = f"/en/dataset/{dataset['name']}/input/{pkg['id']}/import/{checked['id']}"
    web = make_app()
    headers = {"Authorization": world.users["operator"]["token"]}
    page = web.get(url, headers=headers)
    assert page.status_code == 200
    assert 'id="satudata-import-decimal"' in page.body
    assert 'data-code="ambiguous_number"' in page.body
    page = web.post(url, data={"period": "2025", "decimal_separator": "."}, headers=headers)
    assert page.status_code == 200
    found = call_action("satudata_input_import_show", dict(op), import_id=checked["id"])
    assert found["summary"]["decimal_separator"] == "."
    assert found["summary"]["file_errors"] == [] and found["summary"]["rows_valid"] == 1000
