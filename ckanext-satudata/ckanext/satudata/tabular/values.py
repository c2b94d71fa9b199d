"""Turn a cell as the user sees it into PostgreSQL's canonical text for its MS-Var type.

Indonesian conventions first: day-first dates, Indonesian month names, dots
as thousands separators and commas as decimal separators, ya/tidak booleans.
A converter returns None for an empty cell and raises CellError otherwise.

Numbers are never passed through float(): digits are rearranged as text (or
via decimal.Decimal) so 0.1 stays 0.1 and codes are never rounded.

Ambiguous numbers: one to three digits, one dot or comma, exactly three
digits ("15.085", "5.800", "1,234"). An Indonesian writer means 15085 by
"15.085", a spreadsheet in an English locale means 15.085: the two readings
differ a thousandfold. A converter is made for a column's decimal separator
(`decimal=","`: dots group thousands; `decimal="."`: commas group thousands)
and reads such a number accordingly; without one (`decimal=None`) it refuses
it with the code "ambiguous_number" rather than guess. `column_decimal`
decides a column's separator from the evidence: a separator declared for the
file, the column's unambiguous numbers ("1.234.567", "12,5" -> comma;
"3.14", "0.5", "1,234,567" -> dot) and a declared INTEGER type (a whole
number cannot have three decimals: "15.085" is 15085).
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from ckanext.satudata.tabular.guard import _

Converter = Callable[[Any], "str | None"]

_INT8_MAX = 9223372036854775807
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serial numbers read as dates: 1927-05-18 .. 9999-12-31. Smaller numbers in a
# date column are far more often a year or a typing slip than a 1900s date.
_SERIAL_MIN, _SERIAL_MAX = 10_000, 2_958_465
CACHE_MAX = 20_000  # distinct values a column converter remembers

_SIGN = re.compile(r"([+\-\u2212]?)\s*(.*)", re.S)
# Patterns on unsigned text; group 1 = integer digits with separators, group 2 = fraction.
_ID_THOUSANDS = re.compile(r"(\d{1,3}(?:\.\d{3})+)(?:,(\d+))?")       # 1.234.567 / 1.234,5
_EN_THOUSANDS = re.compile(r"(\d{1,3}(?:,\d{3}){2,})(?:\.(\d+))?"      # 1,234,567(.5)
                           r"|(\d{1,3}(?:,\d{3})+)\.(\d+)")              # 1,234.5
_SPACE_THOUSANDS = re.compile(r"(\d{1,3}(?:[ \u00a0\u202f]\d{3})+)(?:[,.](\d+))?")
_DECIMAL_COMMA = re.compile(r"(\d*),(\d+)")
_DECIMAL_DOT = re.compile(r"(\d*)\.(\d+)")
_DIGITS = re.compile(r"\d+")
_ID_GROUPS = re.compile(r"\d{1,3}(?:\.\d{3})+")
_EXPONENT = re.compile(r"\d+(?:[.,]\d+)?[eE][+-]?\d+")
# One group of one to three digits (not 0), one separator, three digits: 15.085, 1,234.
_AMBIGUOUS = re.compile(r"([1-9]\d{0,2})([.,])(\d{3})")
# Numbers whose separators can be read one way only, by the decimal separator they show.
_SHOWS_COMMA = re.compile(r"\d*,(?:\d{1,2}|\d{4,})|(?:0|\d{4,}),\d+"     # 12,5  0,125  1234,567
                          r"|\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?|\d{1,3}(?:\.\d{3})+,\d+")  # 1.234.567
_SHOWS_DOT = re.compile(r"\d*\.(?:\d{1,2}|\d{4,})|(?:0|\d{4,})\.\d+"      # 3.14  0.125  1234.567
                        r"|\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?|\d{1,3}(?:,\d{3})+\.\d+")  # 1,234,567
DECIMAL_SEPARATORS = (",", ".")

_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_DMY_SHORT = re.compile(r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2}")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?")
_ISO_TIME = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?")
_NAMED = re.compile(r"(\d{1,2})[\s\-]+([A-Za-z]+)\.?[\s\-]+(\d{4})")
_SERIAL_TEXT = re.compile(r"\d{5}(?:[.,]\d+)?")
_MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "feb": 2, "pebruari": 2, "peb": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "agus": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11, "nopember": 11, "nop": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}
_TRUE = frozenset({"ya", "y", "iya", "true", "benar", "1", "yes"})
# "t" is "tidak" (no) in Indonesian forms, as in the y/t pair, not PostgreSQL's true.
_FALSE = frozenset({"tidak", "t", "false", "salah", "0", "no", "f", "n"})
_ILLEGAL = ("\x00",)


class CellError(ValueError):
    """A value that does not fit its column's type. `code` is a stable slug."""

    def __init__(self, code: str, message: str, value: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.value = value


def display(value: Any) -> str:
    """The text a user sees for a cell value (for messages and text columns)."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _separator(decimal: str | None) -> str | None:
    if decimal not in (None, *DECIMAL_SEPARATORS):
        raise ValueError(f"unknown decimal separator {decimal!r}")
    return decimal


def converter(tipe_data: str, *, decimal: str | None = None) -> Converter:
    """The converter for an MS-Var tipe_data (CHARACTER, INTEGER, DECIMAL, DATE, BOOLEAN).

    `decimal` is the column's decimal separator ("," or "."), None when it is
    not known: then an ambiguous number ("15.085") raises CellError.
    """
    kind = (tipe_data or "CHARACTER").upper()
    decimal = _separator(decimal)
    if kind == "CHARACTER":
        return _character
    if kind == "INTEGER":
        return _INTEGERS[decimal]
    if kind == "DECIMAL":
        return _DECIMALS[decimal]
    if kind == "DATE":
        return _cached(_date)
    if kind == "BOOLEAN":
        return _boolean
    raise ValueError(f"unknown tipe_data {tipe_data!r}")


def _unsupported(value: Any) -> CellError:
    return CellError("unreadable", _("The cell cannot be read as a value."), value)


# --- CHARACTER ---------------------------------------------------------------

def _character(value: Any) -> str | None:
    if value.__class__ is str:
        value = value.strip()
        if "\x00" in value:
            raise CellError("invalid_character", _("The text contains a NUL character."), value)
        return value or None
    if value is None:
        return None
    if isinstance(value, int | float | dt.date):
        if isinstance(value, float) and not math.isfinite(value):
            raise _unsupported(value)
        return display(value)
    raise _unsupported(value)


# --- numbers -----------------------------------------------------------------

def _not_integer(value: Any) -> CellError:
    return CellError("not_integer", _("Not a whole number."), value)


def _not_number(value: Any) -> CellError:
    return CellError("not_number", _("Not a number."), value)


def readings(value: Any) -> tuple[str, str]:
    """The two readings of an ambiguous number: "15.085" -> ("15085", "15.085")."""
    text = display(value).strip()
    m = _AMBIGUOUS.search(text)
    if not m:
        return text, text
    sign = "-" if text[:1] in ("-", "\u2212") else ""
    return f"{sign}{m[1]}{m[3]}", f"{sign}{m[1]}.{m[3]}"


def ambiguous_number(value: Any) -> CellError:
    """The error for "15.085" in a column whose decimal separator is not known."""
    grouped, decimal = readings(value)
    return CellError("ambiguous_number", _(
        'The number "{value}" can be read as {grouped} or as {decimal}: the decimal '
        "separator of this column is not known.").format(
        value=display(value).strip(), grouped=grouped, decimal=decimal), value)


def _split_number(text: str, decimal: str | None) -> tuple[str, str, str] | None:
    """(sign, integer digits, fraction digits) of a number written the Indonesian way or another.

    Raises CellError("ambiguous_number") for 15.085 or 1,234 when `decimal` is None.
    """
    sign, body = _SIGN.fullmatch(text).groups()  # type: ignore[union-attr]
    sign = "-" if sign in ("-", "\u2212") else ""
    if m := _DIGITS.fullmatch(body):
        return sign, body, ""
    if m := _AMBIGUOUS.fullmatch(body):
        if decimal is None:
            raise ambiguous_number(text)
        if m[2] == decimal:
            return sign, m[1], m[3]
        return sign, m[1] + m[3], ""  # a thousands separator
    if m := _DECIMAL_DOT.fullmatch(body):  # 2.5, 0.500, 1234.567: never thousands
        return sign, m[1] or "0", m[2]
    if m := _ID_THOUSANDS.fullmatch(body):
        return sign, m[1].replace(".", ""), m[2] or ""
    if m := _DECIMAL_COMMA.fullmatch(body):
        return sign, m[1] or "0", m[2]
    if m := _EN_THOUSANDS.fullmatch(body):
        if m[1]:
            return sign, m[1].replace(",", ""), m[2] or ""
        return sign, m[3].replace(",", ""), m[4]
    if m := _SPACE_THOUSANDS.fullmatch(body):
        digits = m[1].replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
        return sign, digits, m[2] or ""
    if _EXPONENT.fullmatch(body):
        try:
            number = Decimal(body.replace(",", "."))
        except InvalidOperation:
            return None
        whole, _dot, frac = f"{number:f}".partition(".")
        return sign, whole, frac
    return None


def _make_integer(decimal: str | None) -> Converter:
    def convert(value: Any) -> str | None:
        if value.__class__ is str:
            # Fast path, C string methods only: 123 or -123 (PostgreSQL reads 007 as 7).
            digits = value[1:] if value[:1] == "-" else value
            if digits.isdigit() and digits.isascii() and len(digits) < 19 and value != "-0":
                return value
            text = value.strip()
            if not text:
                return None
            parts = _split_number(text, decimal)
            if parts is None:
                raise _not_integer(value)
            sign, whole, frac = parts
            # "12,0" and "12.00" are whole; "1,000" is 1.000 or 1000 depending on the writer.
            if frac and (frac.strip("0") or len(frac) > 2):
                raise _not_integer(value)
            number = int(whole)
            if number > _INT8_MAX:
                raise CellError("out_of_range", _("The number is too large."), value)
            return f"-{number}" if sign and number else str(number)
        if value is None:
            return None
        if value.__class__ is int:
            return str(value)
        if value.__class__ is float:
            if value.is_integer() and abs(value) <= _INT8_MAX:
                return str(int(value))
            raise _not_integer(value)
        if isinstance(value, Decimal) and value == value.to_integral_value():
            return str(int(value))
        raise _not_integer(value)
    return convert


def _canonical_decimal(sign: str, whole: str, frac: str) -> str:
    whole = whole.lstrip("0") or "0"
    text = f"{whole}.{frac}" if frac else whole
    return f"-{text}" if sign and text.strip("0.") else text


def _make_decimal(decimal: str | None) -> Converter:
    comma = decimal == ","

    def convert(value: Any) -> str | None:
        if value.__class__ is str:
            # Fast paths, C string methods only: 1234, -1234, 1234,56, 1.234,56.
            if value.isascii():
                head, has_comma, tail = value.partition(",")
                digits = head[1:] if head[:1] == "-" else head
                if not has_comma:
                    if digits.isdigit():
                        return value
                elif tail.isdigit() and (comma or len(tail) != 3):
                    if digits.isdigit():
                        return f"{head}.{tail}"
                    if _ID_GROUPS.fullmatch(digits):
                        return f"{head.replace('.', '')}.{tail}"
            text = value.strip()
            if not text:
                return None
            parts = _split_number(text, decimal)
            if parts is None:
                raise _not_number(value)
            return _canonical_decimal(*parts)
        if value is None:
            return None
        if value.__class__ is int:
            return str(value)
        if value.__class__ is float:
            if not math.isfinite(value):
                raise _not_number(value)
            # repr is the shortest text that round-trips: 0.1 -> "0.1", never 0.1000000000000000055.
            return format(Decimal(repr(value)), "f")
        if isinstance(value, Decimal) and value.is_finite():
            return format(value, "f")
        raise _not_number(value)
    return convert


_INTEGERS = {d: _make_integer(d) for d in (None, *DECIMAL_SEPARATORS)}
_DECIMALS = {d: _make_decimal(d) for d in (None, *DECIMAL_SEPARATORS)}


def column_decimal(values: Iterable[Any]) -> tuple[str | None, list[int]]:
    """What a column's cells show of its decimal separator: ("," | "." | None, ambiguous).

    The separator is the one the column's unambiguous numbers show ("1.234.567"
    and "12,5" show a comma, "3.14" and "1,234,567" a dot), None when they show
    none or both. `ambiguous` lists the positions of cells like "15.085" that
    need it. Meant for a sample: one regex or two per text cell.
    """
    comma = dot = False
    ambiguous: list[int] = []
    for index, value in enumerate(values):
        if value.__class__ is not str or not (text := value.strip()):
            continue
        body = text.lstrip("+-\u2212").lstrip()
        if _AMBIGUOUS.fullmatch(body):
            ambiguous.append(index)
        elif "," in body or "." in body:
            comma = comma or bool(_SHOWS_COMMA.fullmatch(body))
            dot = dot or bool(_SHOWS_DOT.fullmatch(body))
    return ("," if comma and not dot else "." if dot and not comma else None), ambiguous


def decide_decimal(shown: str | None, *, declared: str | None = None,
                   tipe_data: str | None = None) -> str | None:
    """A column's decimal separator: declared for the file, shown by the column, or None.

    A declared INTEGER column reads "15.085" as 15085 (three decimals are not a
    whole number); a DECIMAL column alone decides nothing (both readings fit).
    """
    if declared:
        return _separator(declared)
    if shown:
        return shown
    return "," if (tipe_data or "").upper() == "INTEGER" else None


# --- DATE --------------------------------------------------------------------

def _cached(convert: Converter) -> Converter:
    """Dates repeat a lot within a column: remember the answers for text cells."""
    cache: dict[str, str | None] = {}

    def cached(value: Any) -> str | None:
        if value.__class__ is str:
            hit = cache.get(value, cache)
            if hit is not cache:
                return hit  # type: ignore[return-value]
            result = convert(value)
            if len(cache) < CACHE_MAX:
                cache[value] = result
            return result
        return convert(value)
    return cached


def _ymd(year: int, month: int, day: int, value: Any) -> str:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        raise CellError("invalid_date", _(
            "Not a real date (day {day}, month {month}, year {year}).").format(
            day=day, month=month, year=year), value) from None


def _serial(number: float, value: Any) -> str:
    if not _SERIAL_MIN <= number <= _SERIAL_MAX:
        raise _not_date(value)
    return (_EXCEL_EPOCH + dt.timedelta(days=int(number))).isoformat()


def _not_date(value: Any) -> CellError:
    return CellError("not_date", _(
        "Not a date. Write dates as day/month/year, e.g. 31/12/2025."), value)


def _date(value: Any) -> str | None:
    if value.__class__ is str:
        text = value.strip()
        if not text:
            return None
        if m := _DMY.fullmatch(text):
            return _ymd(int(m[3]), int(m[2]), int(m[1]), value)
        if (m := _ISO.fullmatch(text)) or (m := _ISO_TIME.fullmatch(text)):
            return _ymd(int(m[1]), int(m[2]), int(m[3]), value)
        if m := _NAMED.fullmatch(text):
            month = _MONTHS.get(m[2].lower())
            if month is None:
                raise _not_date(value)
            return _ymd(int(m[3]), month, int(m[1]), value)
        if _SERIAL_TEXT.fullmatch(text):
            return _serial(float(text.replace(",", ".")), value)
        if _DMY_SHORT.fullmatch(text):
            raise CellError("short_year", _(
                "Write the year with four digits, e.g. 31/12/2025."), value)
        raise _not_date(value)
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            raise _not_date(value)
        return _serial(value, value)
    raise _not_date(value)


# --- BOOLEAN -----------------------------------------------------------------

def _boolean(value: Any) -> str | None:
    if value.__class__ is str:
        text = value.strip().lower()
        if text in _TRUE:
            return "t"
        if text in _FALSE:
            return "f"
        if not text:
            return None
    elif value is None:
        return None
    elif isinstance(value, bool | int | float) and value in (0, 1):
        return "t" if value else "f"
    raise CellError("not_boolean", _("Not a yes/no value (ya/tidak)."), value)


# --- type inference ----------------------------------------------------------

_LEADING_ZERO = re.compile(r"\s*[+-]?0\d")
_LETTERS = re.compile(r"[^\W\d_]")
_NAMED_OR_NUMERIC_DATE = (_DMY, _ISO, _ISO_TIME, _NAMED)


def _text_date(text: str) -> bool:
    """Day-first text dates only (no serial numbers)."""
    text = text.strip()
    if not any(p.fullmatch(text) for p in _NAMED_OR_NUMERIC_DATE):
        return False
    try:
        _date(text)
    except CellError:
        return False
    return True


def infer_types(rows: Iterable[list[Any]], n_columns: int,
                decimals: Sequence[str | None] | None = None) -> list[str]:
    """A safe guess of tipe_data per column from sample rows.

    Anything that could be a code stays CHARACTER: leading zeros (0164, 007),
    letters, and whole numbers of 16 digits or more (NIK, account numbers).
    `decimals` are the columns' decimal separators (see column_decimal); a
    number like "15.085" in a column without one is no number (CHARACTER).
    """
    decimals = list(decimals or ()) + [None] * (n_columns - len(decimals or ()))
    candidates = [{"INTEGER", "DECIMAL", "DATE", "BOOLEAN"} for _i in range(n_columns)]
    seen = [False] * n_columns
    for row in rows:
        for index in range(min(len(row), n_columns)):
            options = candidates[index]
            if not options:
                continue
            value = row[index]
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            seen[index] = True
            options &= _possible_types(value, decimals[index])
    result = []
    for options, any_value in zip(candidates, seen, strict=True):
        if not any_value or not options:
            result.append("CHARACTER")
        else:
            result.append(next(t for t in ("BOOLEAN", "INTEGER", "DECIMAL", "DATE")
                               if t in options))
    return result


def _possible_types(value: Any, decimal: str | None = None) -> set[str]:
    if isinstance(value, bool):
        return {"BOOLEAN"}
    if isinstance(value, dt.date):
        return {"DATE"}
    if isinstance(value, int | float | Decimal):
        if isinstance(value, float) and not math.isfinite(value):
            return set()
        if value == int(value):
            return set() if abs(int(value)) >= 10**15 else {"INTEGER", "DECIMAL"}
        return {"DECIMAL"}
    if not isinstance(value, str):
        return set()
    text = value.strip()
    if text.lower() in ("true", "false"):
        return {"BOOLEAN"}
    if _text_date(text):
        return {"DATE"}
    if _LEADING_ZERO.match(text) and not _DECIMAL_COMMA.fullmatch(text.lstrip("+-")) \
            and not _DECIMAL_DOT.fullmatch(text.lstrip("+-")):
        return set()
    if _LETTERS.search(text) and not _EXPONENT.fullmatch(text.lstrip("+-")):
        return set()
    try:
        parts = _split_number(text, decimal)
    except CellError:  # ambiguous: stays text unless the separator is known
        return set()
    if parts is None:
        return set()
    _sign, whole, frac = parts
    if len(whole.lstrip("0")) >= 16:
        return set()
    if frac.strip("0"):
        return {"DECIMAL"}
    return {"INTEGER", "DECIMAL"} if not frac else {"DECIMAL"}
