"""Numbers like 15.085 read two ways (15085 or 15.085): decided per column, or asked.

The values are the ones of the report: 988 of 1,000 cells of a real-looking
column look like 15.085, 82.127 or 5.800, and none of them may ever become
15085, 82127 or 5800 unless something says the dot groups thousands.
"""
from __future__ import annotations

import pytest

from ckanext.satudata.tabular.batch import batch_converter
from ckanext.satudata.tabular.read import open_table
from ckanext.satudata.tabular.structure import Column, Structure
from ckanext.satudata.tabular.validate import Validation
from ckanext.satudata.tabular.values import (
    CellError,
    column_decimal,
    converter,
    decide_decimal,
    infer_types,
)

AMBIGUOUS = ["15.085", "82.127", "5.800"]
GROUPED = ["15085", "82127", "5800"]


def _column(*extra: str, repeat: int = 1) -> list[str]:
    return AMBIGUOUS * repeat + list(extra)


def _read(values: list[str], decimal: str | None, tipe: str = "DECIMAL") -> list[str | None]:
    single = converter(tipe, decimal=decimal)
    expected = [single(v) for v in values]
    assert batch_converter(tipe, decimal=decimal)(values) == expected  # same either way
    return expected


def test_alone_they_are_ambiguous_and_never_read_as_thousands():
    assert column_decimal(_column()) == (None, [0, 1, 2])
    decimal = decide_decimal(None)
    assert decimal is None
    for value in AMBIGUOUS:
        with pytest.raises(CellError) as caught:
            converter("DECIMAL", decimal=decimal)(value)
        assert caught.value.code == "ambiguous_number"
        assert value in caught.value.message
        with pytest.raises(CellError):
            batch_converter("DECIMAL", decimal=decimal)([value, "12"])
    # A guessed type never reads them as numbers: the column stays text, as written.
    assert infer_types([[v] for v in _column("12", "7")], 1, [decimal]) == ["CHARACTER"]


def test_with_1_234_567_in_the_column_the_dot_groups_thousands():
    shown, ambiguous = column_decimal(_column("1.234.567"))
    assert shown == "," and ambiguous == [0, 1, 2]
    assert _read(_column("1.234.567"), decide_decimal(shown)) == [*GROUPED, "1234567"]
    assert column_decimal(_column("12.345,6"))[0] == ","


def test_with_3_14_in_the_column_the_dot_is_a_decimal_point():
    shown, _ambiguous = column_decimal(_column("3.14"))
    assert shown == "."
    assert _read(_column("3.14"), decide_decimal(shown)) == [*AMBIGUOUS, "3.14"]
    for evidence in ("0.5", "12.3456", "1,234,567"):
        assert column_decimal(_column(evidence))[0] == ".", evidence
    assert infer_types([[v] for v in _column("3.14")], 1, ["."]) == ["DECIMAL"]


def test_a_declared_comma_decimal_locale_decides():
    # Declared: the file writes decimals with a comma, so its dots group thousands.
    assert decide_decimal(None, declared=",") == ","
    assert _read(_column("1,5"), ",") == [*GROUPED, "1.5"]
    # The declaration wins over what a column seems to show.
    assert decide_decimal(".", declared=",") == ","
    # And the other way round: a declared dot-decimal file.
    assert _read(_column(), decide_decimal(None, declared=".")) == AMBIGUOUS
    with pytest.raises(ValueError):
        decide_decimal(None, declared=";")


def test_a_declared_decimal_column_alone_decides_nothing():
    # Both readings are decimals: a DECIMAL type is no evidence.
    assert decide_decimal(None, tipe_data="DECIMAL") is None
    # A whole number cannot have three decimals: a declared INTEGER column groups.
    assert decide_decimal(None, tipe_data="INTEGER") == ","
    assert _read(_column(), ",", "INTEGER") == GROUPED
    # Unless its numbers show a decimal point: then 15.085 is no whole number (an error).
    with pytest.raises(CellError) as caught:
        converter("INTEGER", decimal=decide_decimal(".", tipe_data="INTEGER"))("15.085")
    assert caught.value.code == "not_integer"


def test_a_comma_with_three_digits_is_just_as_ambiguous():
    assert column_decimal(["15,085", "2"]) == (None, [0])
    with pytest.raises(CellError):
        converter("DECIMAL")("15,085")
    assert _read(["15,085"], ",") == ["15.085"]
    assert _read(["15,085"], ".") == ["15085"]


def test_unambiguous_shapes_need_no_decision():
    values = ["0.500", "1234.567", "1.234.567", "1,5", "1.234,56", "12", "-0,25"]
    assert _read(values, None) == ["0.500", "1234.567", "1234567", "1.5", "1234.56", "12",
                                   "-0.25"]


# --- the import's dry run ---------------------------------------------------------

STRUCTURE = Structure(columns=(
    Column("kode", "Kode", key=True, required=True),
    Column("nilai", "Nilai", "DECIMAL"),
))


def _file(tmp_path, values: list[str]):
    path = tmp_path / "nilai.csv"
    path.write_text("kode;nilai\n" + "".join(
        f"{i:04d};{v}\n" for i, v in enumerate(values, 1)), encoding="utf-8")
    return path


def _dry_run(path, **kw):
    with open_table(str(path)) as table:
        validation = Validation(table, STRUCTURE, **kw)
        rows = list(validation.rows())
    return [r[1][1] for r in rows], validation.summary


def _real_looking(n: int = 1000) -> list[str]:
    """988 of 1,000 values like 15.085, the other twelve whole numbers."""
    values = [AMBIGUOUS[i % 3] for i in range(n - 12)] + ["12", "7", "100"] * 4
    return values


def test_dry_run_asks_for_an_ambiguous_column_and_writes_nothing(tmp_path):
    values, summary = _dry_run(_file(tmp_path, _real_looking()))
    assert values == ["12", "7", "100"] * 4  # only the rows without a doubt come out...
    assert not summary.ok and summary.rows_valid == 0  # ...and the file error blocks them
    [error] = summary.file_errors
    assert error.code == "ambiguous_number" and error.column == "nilai" and error.row == 2
    assert error.value == "15.085"
    assert '"nilai"' in error.message and "988" in error.message
    assert "2, 3, 4, 5, 6" in error.message  # example rows
    assert "15085" in error.message and "15.085" in error.message
    assert not summary.errors  # one problem of the column, not 988 row errors


def test_dry_run_reads_them_with_the_declared_separator(tmp_path):
    path = _file(tmp_path, _real_looking())
    values, summary = _dry_run(path, decimal_separator=".")
    assert summary.ok and summary.decimal_separator == "."
    assert values[:3] == AMBIGUOUS and values[-3:] == ["12", "7", "100"]
    values, summary = _dry_run(path, decimal_separator=",")
    assert summary.ok and values[:3] == GROUPED


def test_dry_run_decides_from_the_columns_other_numbers(tmp_path):
    values, summary = _dry_run(_file(tmp_path, _column("3.14", repeat=10)))
    assert summary.ok and values[:3] == AMBIGUOUS and values[-1] == "3.14"
    values, summary = _dry_run(_file(tmp_path, _column("1.234.567", repeat=10)))
    assert summary.ok and values[:3] == GROUPED and values[-1] == "1234567"


def test_dry_run_asks_about_ambiguous_values_after_the_sample(tmp_path):
    # The sample (1000 rows) shows no separator; a later 15.085 is not guessed either.
    values, summary = _dry_run(_file(tmp_path, ["12"] * 1500 + AMBIGUOUS))
    assert [e.code for e in summary.file_errors] == ["ambiguous_number"]
    assert summary.file_errors[0].row == 1502


def test_a_form_value_is_asked_about_too():
    from ckanext.satudata.tabular.validate import validate_row

    structure = Structure(columns=(Column("nilai", "Nilai", "DECIMAL"),
                                   Column("jumlah", "Jumlah", "INTEGER")))
    out, errors = validate_row(structure, {"nilai": "15.085", "jumlah": "15.085"}, period=None)
    assert [(e.column, e.code) for e in errors] == [("Nilai", "ambiguous_number")]
    assert out == [None, "15085"]  # a whole number column groups thousands
    out, errors = validate_row(structure, {"nilai": "15,085", "jumlah": "5.800"}, period=None)
    assert [(e.column, e.code) for e in errors] == [("Nilai", "ambiguous_number")]
    out, errors = validate_row(structure, {"nilai": "15,5", "jumlah": "5800"}, period=None)
    assert not errors and out == ["15.5", "5800"]
