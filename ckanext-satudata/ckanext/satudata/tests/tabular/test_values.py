"""values: Indonesian cells to PostgreSQL's canonical text, and safe type guesses."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ckanext.satudata.tabular.values import CellError, converter, infer_types


def _ok(tipe: str, value, **kw):
    return converter(tipe, **kw)(value)


def _error(tipe: str, value) -> CellError:
    with pytest.raises(CellError) as caught:
        converter(tipe)(value)
    assert caught.value.message
    assert caught.value.value is value or caught.value.value == value
    return caught.value


@pytest.mark.parametrize("value, expected", [
    ("  Desa Sukorejo ", "Desa Sukorejo"), ("0164", "0164"), ("0164A", "0164A"),
    (12.0, "12"), (12.5, "12.5"), (7, "7"), ("", None), ("   ", None), (None, None),
    (dt.date(2025, 1, 2), "2025-01-02"), (True, "TRUE"), ("=1+1", "=1+1"),
])
def test_character_keeps_text(value, expected):
    assert _ok("CHARACTER", value) == expected


def test_character_refuses_nul():
    assert _error("CHARACTER", "a\x00b").code == "invalid_character"


@pytest.mark.parametrize("value, expected", [
    ("1234", "1234"), ("-5", "-5"), ("1.234.567", "1234567"), ("1 234", "1234"),
    ("1\u00a0234", "1234"), ("+7", "7"), (12.0, "12"), (12, "12"), ("12,0", "12"),
    ("12.00", "12"), (" 42 ", "42"), ("0", "0"), ("-0", "0"),
    ("1,234,567", "1234567"), ("", None), (None, None), (Decimal("5"), "5"),
    ("9223372036854775807", "9223372036854775807"),
])
def test_integer_accepts(value, expected):
    assert _ok("INTEGER", value) == expected


@pytest.mark.parametrize("value", ["1.5", "12abc", "0164A", "1,5", 1.5, "x", True,
                                   "1.2.3"])
def test_integer_rejects(value):
    assert _error("INTEGER", value).code == "not_integer"


def test_integer_thousands_follow_the_column_decision():
    # 1.234 / 1,000: 1234 or 1.234 / 1000 or 1.000 depending on the writer.
    assert _error("INTEGER", "1.234").code == "ambiguous_number"
    assert _error("INTEGER", "1,000").code == "ambiguous_number"
    assert _ok("INTEGER", "1.234", decimal=",") == "1234"
    assert _ok("INTEGER", "1,000", decimal=".") == "1000"
    with pytest.raises(CellError):
        _ok("INTEGER", "1,000", decimal=",")  # 1.000: three decimals are no whole number


def test_integer_range():
    assert _error("INTEGER", "99999999999999999999").code == "out_of_range"


@pytest.mark.parametrize("value, expected", [
    ("1.234,56", "1234.56"), ("1234,56", "1234.56"), ("1234.56", "1234.56"), ("2.5", "2.5"),
    ("-0,5", "-0.5"), ("0,5", "0.5"), ("1234.567", "1234.567"),
    ("0.500", "0.500"), ("1.234.567,89", "1234567.89"), ("1,234.5", "1234.5"),
    ("100", "100"), (0.1, "0.1"), (12.0, "12.0"), (3, "3"), (1e-05, "0.00001"),
    ("1,5E+3", "1500"), ("  7,25 ", "7.25"), ("", None), (Decimal("1.10"), "1.10"),
    ("0,1234567890123456789", "0.1234567890123456789"),
])
def test_decimal_accepts(value, expected):
    assert _ok("DECIMAL", value) == expected


def test_decimal_ambiguous_dot_follows_the_column_decision():
    assert _error("DECIMAL", "1.234").code == "ambiguous_number"
    assert _ok("DECIMAL", "1.234", decimal=",") == "1234"
    assert _ok("DECIMAL", "1.234", decimal=".") == "1.234"
    assert _ok("DECIMAL", "1,5", decimal=".") == "1.5"


@pytest.mark.parametrize("value", ["abc", "1,2,3", "1.5.", float("nan"), "Rp 5"])
def test_decimal_rejects(value):
    assert _error("DECIMAL", value).code == "not_number"


@pytest.mark.parametrize("value", [
    "31/12/2025", "31-12-2025", "31.12.2025", "2025-12-31", 46022, 46022.75, "46022",
    "31 Desember 2025", "31 Des 2025", "31 des. 2025", "31-Des-2025", "31 December 2025",
    dt.datetime(2025, 12, 31, 14, 30), dt.date(2025, 12, 31), "2025-12-31 00:00:00",
])
def test_date_accepts(value):
    assert _ok("DATE", value) == "2025-12-31"


def test_date_is_day_first():
    assert _ok("DATE", "01/02/2025") == "2025-02-01"
    assert _ok("DATE", "1 Mei 2025") == "2025-05-01"
    assert _ok("DATE", "17 Agustus 1945") == "1945-08-17"


@pytest.mark.parametrize("value, code", [
    ("31/02/2025", "invalid_date"), ("29/02/2025", "invalid_date"), ("12/31/2025",
                                                                    "invalid_date"),
    ("31/12/25", "short_year"), ("besok", "not_date"), ("2025", "not_date"), (2025, "not_date"),
    ("31 Foo 2025", "not_date"), (True, "not_date"),
])
def test_date_rejects(value, code):
    assert _error("DATE", value).code == code


def test_date_leap_day():
    assert _ok("DATE", "29/02/2024") == "2024-02-29"


@pytest.mark.parametrize("value, expected", [
    ("ya", "t"), ("Tidak", "f"), ("y", "t"), ("t", "f"), ("TRUE", "t"), ("false", "f"),
    ("1", "t"), ("0", "f"), ("benar", "t"), ("Salah", "f"), (True, "t"), (False, "f"),
    (1, "t"), (0.0, "f"), ("", None), (None, None),
])
def test_boolean(value, expected):
    assert _ok("BOOLEAN", value) == expected


def test_boolean_rejects():
    assert _error("BOOLEAN", "mungkin").code == "not_boolean"
    assert _error("BOOLEAN", 2).code == "not_boolean"


def test_unknown_type():
    with pytest.raises(ValueError):
        converter("MONEY")


def test_unreadable_object():
    from ckanext.satudata.tabular.read import FORMULA_WITHOUT_VALUE

    for tipe in ("CHARACTER", "INTEGER", "DECIMAL", "DATE", "BOOLEAN"):
        with pytest.raises(CellError):
            converter(tipe)(FORMULA_WITHOUT_VALUE)


def test_infer_types_is_careful_with_codes():
    rows = [
        ["0164", "1", "1,5", "31/12/2025", "-5", "Desa A", "3514012345678901", "12", "true",
         "", dt.date(2025, 1, 1), 7],
        ["007", "2", "2", "1 Januari 2025", "3", "1", "3514012345678902", "0164A", "false",
         None, dt.date(2025, 1, 2), 8.5],
        ["10", "-3", "-0,25", "2025-01-03", "0", "2", "1", "3", "true", "", None, 1],
    ]
    assert infer_types(rows, 13) == [
        "CHARACTER",  # leading zeros are codes
        "INTEGER",
        "DECIMAL",
        "DATE",
        "INTEGER",  # negatives stay numbers
        "CHARACTER",  # letters
        "CHARACTER",  # 16-digit identifiers (NIK)
        "CHARACTER",  # one code with a letter
        "BOOLEAN",
        "CHARACTER",  # no value at all
        "DATE",  # date cells
        "DECIMAL",  # spreadsheet numbers
        "CHARACTER",  # a column the rows do not reach
    ]


def test_infer_types_serial_numbers_are_not_dates():
    assert infer_types([["46022"], ["46023"]], 1) == ["INTEGER"]


@pytest.mark.parametrize("tipe, values", [
    ("INTEGER", ["1", "-5", "", "007", "-0"]),
    ("INTEGER", ["1", " 2 ", "1.234.567", 5.0, None]),
    ("DECIMAL", ["1,5", "-0,25", "", "12", "1.234.567,8", "1,2345"]),
    ("DECIMAL", ["0.500", "2.5", "1 234", 0.1]),
    ("CHARACTER", [" a ", "", "0164", "x\ny"]),
    ("CHARACTER", ["a", 12.0, None]),
    ("DATE", ["31/12/2025", "", "31/12/2025", dt.date(2025, 1, 1), None, "1 Mei 2025"]),
    ("BOOLEAN", ["ya", "t", "", None]),
    # Spellings repeated within the first batch, the cache still cold.
    ("BOOLEAN", ["true", "false", "true", "ya", "", "tidak", "ya", None, "false", " Ya ", 1, 0.0,
                 "", "t"]),
])
def test_batch_converter_agrees_with_the_per_cell_converter(tipe, values):
    from ckanext.satudata.tabular.batch import batch_converter

    single = converter(tipe)
    expected = [single(v) for v in values]
    batch = batch_converter(tipe)
    assert batch(values) == expected
    assert batch(tuple(values)) == expected  # twice: the date cache is warm now
    if tipe == "DECIMAL":
        dotted = batch_converter(tipe, decimal=".")
        assert dotted(["1.234", "2.5"]) == ["1.234", "2.5"]
        assert batch_converter(tipe, decimal=",")(["1.234", "2,5"]) == ["1234", "2.5"]


def test_batch_converter_raises_like_the_converter():
    from ckanext.satudata.tabular.batch import batch_converter

    with pytest.raises(CellError):
        batch_converter("INTEGER")(["1", "x"])
    with pytest.raises(CellError):
        batch_converter("DATE")(["31/12/2025", "31/02/2025"])
    boolean = batch_converter("BOOLEAN")
    assert boolean(["ya", "tidak"]) == ["t", "f"]
    with pytest.raises(CellError):
        boolean(["ya", "mungkin"])
    with pytest.raises(CellError):
        boolean(["ya", "mungkin"])  # never remembered as valid
    with pytest.raises(CellError):
        boolean(["ya", 2])
