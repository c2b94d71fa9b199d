"""Converters of whole column slices: the same results and errors as values.converter.

The loader and the input validation push millions of cells through these. When
every value of a slice is plain text of the common shape, one C-level regex over
the joined slice checks them all and the values are rewritten with str methods;
any other slice falls back to the per-cell converter.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from ckanext.satudata.tabular.values import CACHE_MAX, Converter, converter

BatchConverter = Callable[[Sequence[Any]], "list[str | None]"]
_LINES_INT = re.compile(r"(?:-?\d{1,18})?(?:\n(?:-?\d{1,18})?)*", re.ASCII)
_LINES_COMMA = re.compile(r"(?:-?\d+(?:,\d+)?)?(?:\n(?:-?\d+(?:,\d+)?)?)*", re.ASCII)
# Indonesian: 1.234.567,89 or 1234,5 (a leading 0. is a decimal point, so it is left out).
_LINES_ID = re.compile(r"(?:-?(?:[1-9]\d{0,2}(?:\.\d{3})+|\d+)(?:,\d+)?)?"
                       r"(?:\n(?:-?(?:[1-9]\d{0,2}(?:\.\d{3})+|\d+)(?:,\d+)?)?)*", re.ASCII)
_LINES_DOT = re.compile(r"(?:-?\d+(?:\.\d+)?)?(?:\n(?:-?\d+(?:\.\d+)?)?)*", re.ASCII)
_LINES_AMBIGUOUS = re.compile(r"^-?[1-9]\d{0,2},\d{3}$", re.ASCII | re.MULTILINE)


def batch_converter(tipe_data: str, *, decimal: str | None = None) -> BatchConverter:
    """Convert a whole column slice at once; same results and errors as converter().

    The loader pushes millions of cells through here. When every value of the
    slice is plain text of the common shape, one C-level regex over the joined
    slice checks them all and the values are rewritten with str methods; any
    other slice falls back to the per-cell converter.
    """
    kind = (tipe_data or "CHARACTER").upper()
    convert = converter(kind, decimal=decimal)
    if kind == "INTEGER":
        return _integer_batches(convert)
    if kind == "DECIMAL":
        return _decimal_batches(convert, decimal)
    if kind == "CHARACTER":
        return _text_batches(convert)
    if kind == "DATE":
        return _date_batches(convert)
    if kind == "BOOLEAN":
        return _boolean_batches(convert)
    return _per_cell(convert)


def _per_cell(convert: Converter) -> BatchConverter:
    def per_cell(values: Sequence[Any]) -> list[str | None]:
        return [convert(v) for v in values]
    return per_cell


def _joined(values: Sequence[Any]) -> str | None:
    """The slice as lines of text, or None if a value is not text or holds a line break."""
    try:
        text = "\n".join(values)
    except TypeError:  # spreadsheet numbers, dates, None
        return None
    return text if text.count("\n") == len(values) - 1 else None


def _empties_to_none(result: list[Any]) -> list[str | None]:
    return [v or None for v in result] if "" in result else result


def _integer_batches(convert: Converter) -> BatchConverter:
    per_cell = _per_cell(convert)

    def integers(values: Sequence[Any]) -> list[str | None]:
        text = _joined(values)
        if text is not None and _LINES_INT.fullmatch(text) and "-0" not in values:
            return _empties_to_none(list(values))
        return per_cell(values)
    return integers


def _decimal_batches(convert: Converter, decimal: str | None) -> BatchConverter:
    per_cell = _per_cell(convert)
    lines = _LINES_DOT if decimal == "." else _LINES_COMMA

    def decimals(values: Sequence[Any]) -> list[str | None]:
        text = _joined(values)
        if text is None:
            return per_cell(values)
        if lines.fullmatch(text):
            if "," in text:
                if decimal is None and _LINES_AMBIGUOUS.search(text):
                    return per_cell(values)  # raises CellError
                return _empties_to_none(text.replace(",", ".").split("\n"))
            return _empties_to_none(list(values))
        if decimal == "," and _LINES_ID.fullmatch(text):
            text = text.replace(".", "").replace(",", ".")
            return _empties_to_none(text.split("\n"))
        return per_cell(values)
    return decimals


def _text_batches(convert: Converter) -> BatchConverter:
    per_cell = _per_cell(convert)

    def texts(values: Sequence[Any]) -> list[str | None]:
        text = _joined(values)
        if text is not None and "\x00" not in text:
            return _empties_to_none(list(map(str.strip, values)))
        return per_cell(values)
    return texts


def _date_batches(convert: Converter) -> BatchConverter:
    per_cell = _per_cell(convert)
    cache: dict[str, str] = {}

    def dates(values: Sequence[Any]) -> list[str | None]:
        try:
            result: list[str | None] = list(map(cache.get, values))
        except TypeError:  # unhashable: per cell gives the error
            return per_cell(values)
        if None in result:
            for index, value in enumerate(values):
                if result[index] is None:
                    converted = result[index] = convert(value)
                    if converted is not None and value.__class__ is str \
                            and len(cache) < CACHE_MAX:
                        cache[value] = converted
        return result
    return dates


def _boolean_batches(convert: Converter) -> BatchConverter:
    per_cell = _per_cell(convert)
    known: dict[str, str | None] = {}  # a handful of spellings repeat all along

    def booleans(values: Sequence[Any]) -> list[str | None]:
        try:
            result = list(map(known.get, values))
        except TypeError:  # unhashable: per cell gives the error
            return per_cell(values)
        if None in result:  # not known yet, known as empty, or not text
            for index, value in enumerate(values):
                if result[index] is None:
                    if value.__class__ is not str:
                        result[index] = convert(value)
                    elif value in known:
                        result[index] = known[value]
                    else:
                        result[index] = convert(value)  # raises CellError
                        if len(known) < CACHE_MAX:
                            known[value] = result[index]
        return result
    return booleans
