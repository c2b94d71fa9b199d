"""Spreadsheet readers side by side: ours (tabular/read.py) against python-calamine.

Usage: var/venv/bin/python bench/readers.py [--rounds 5] [--xls FILE]
Needs python-calamine, which is not a dependency of the portal (README, "Reading
spreadsheets", says why): `var/venv/bin/pip install python-calamine`.

Files: the 100k-row x 10 XLSX of bench/input_load.py (made by openpyxl), an ODS
with the same rows (content.xml written here, the way LibreOffice writes cells:
value type, value and display text) and, with --xls, a legacy .xls (BIFF8 holds
65,536 rows at most; `make_xls` below writes one with xlwt in a throwaway venv).
Each read runs in its own process, readers alternating round by round, so a slow
spell of the shared machine falls on both. Ours is the reader alone (the guard,
in front of either reader, is timed once on its own); calamine is
`load_workbook(...).get_sheet_by_name(...).iter_rows()` consumed, nothing
converted, i.e. its best case. Prints medians, the ratio and peak RSS.
A benchmark, not a test: nothing is asserted.
"""
from __future__ import annotations

import argparse
import json
import resource as rusage
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from input_load import OUT, _row, make_xlsx  # noqa: E402

_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')


def make_ods(rows: int) -> Path:
    import random
    from xml.sax.saxutils import escape

    from input_load import HEADER

    path = OUT / f"input_{rows}.ods"
    if path.exists():
        return path

    def cell(value: object) -> str:
        if isinstance(value, bool) or value in ("true", "false"):
            flag = value is True or value == "true"
            return (f'<table:table-cell office:value-type="boolean" office:boolean-value='
                    f'"{str(flag).lower()}"><text:p>{str(flag).upper()}</text:p></table:table-cell>')
        if isinstance(value, (int, float)):
            return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                    f"<text:p>{value}</text:p></table:table-cell>")
        if hasattr(value, "isoformat"):
            return (f'<table:table-cell office:value-type="date" office:date-value='
                    f'"{value.isoformat()}"><text:p>{value:%d/%m/%Y}</text:p></table:table-cell>')
        return (f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}'
                "</text:p></table:table-cell>")

    rng = random.Random(2)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                    compress_type=zipfile.ZIP_STORED)
        with zf.open("content.xml", "w") as out:
            out.write(f'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
                      f'{_ODS_NS}><office:body><office:spreadsheet><table:table '
                      f'table:name="Data">'.encode())
            out.write(("<table:table-row>" + "".join(cell(h) for h in HEADER)
                       + "</table:table-row>").encode())
            for i in range(rows):
                out.write(("<table:table-row>" + "".join(cell(v) for v in _row(i, rng))
                           + "</table:table-row>").encode())
            out.write(b"</table:table></office:spreadsheet></office:body>"
                      b"</office:document-content>")
        zf.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest '
                    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
    return path


def make_xls(rows: int) -> Path:
    """Run under a Python with xlwt (not a dependency of the project)."""
    import random

    import xlwt
    from input_load import HEADER

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"input_{rows}.xls"
    book = xlwt.Workbook()
    sheet = book.add_sheet("Data")
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    for c, name in enumerate(HEADER):
        sheet.write(0, c, name)
    rng = random.Random(2)
    for i in range(rows):
        for c, value in enumerate(_row(i, rng)):
            if hasattr(value, "isoformat"):
                sheet.write(i + 1, c, value, date_style)
            else:
                sheet.write(i + 1, c, value)
    book.save(str(path))
    return path


# --- children --------------------------------------------------------------------

def child(reader: str, path: str) -> dict[str, object]:
    from ckanext.satudata.tabular.guard import Limits

    limits = Limits()
    start = time.perf_counter()
    rows = 0
    if reader == "guard":
        from ckanext.satudata.tabular.guard import check_file

        check_file(path, None, limits)
    elif reader == "ours":
        from ckanext.satudata.tabular.read import OdsTable, XlsTable, XlsxTable

        cls = {"xlsx": XlsxTable, "xls": XlsTable, "ods": OdsTable}[path.rsplit(".", 1)[1]]
        with cls(path, limits) as table:
            rows = sum(1 for _ in table.rows())
    else:
        from python_calamine import load_workbook

        with load_workbook(path) as book:
            rows = sum(1 for _ in book.get_sheet_by_name(book.sheet_names[0]).iter_rows())
    seconds = time.perf_counter() - start
    return {"rows": rows, "seconds": seconds,
            "rss_mb": rusage.getrusage(rusage.RUSAGE_SELF).ru_maxrss / 1024}


def _run(reader: str, path: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", reader, str(path)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--xls", help="a .xls made by make_xls (see the module docstring)")
    parser.add_argument("--make-xls", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make_xls:
        print(make_xls(args.make_xls))
        return 0
    if args.child:
        print(json.dumps(child(*args.child)))
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    files = [make_xlsx(args.rows), make_ods(args.rows)] + ([Path(args.xls)] if args.xls else [])
    print(f"{'file':<22} {'reader':<9} {'rows':>7} {'median s':>9} {'runs s':<36} {'RSS MB':>7}")
    for path in files:
        times: dict[str, list[float]] = {"ours": [], "calamine": []}
        last: dict[str, dict[str, float]] = {}
        for i in range(args.rounds):
            order = ("ours", "calamine") if i % 2 == 0 else ("calamine", "ours")
            for reader in order:
                last[reader] = _run(reader, path)
                times[reader].append(last[reader]["seconds"])
        guard = _run("guard", path)
        for reader, runs in times.items():
            print(f"{path.name:<22} {reader:<9} {int(last[reader]['rows']):>7} "
                  f"{statistics.median(runs):>9.2f} "
                  f"{' '.join(f'{t:.2f}' for t in runs):<36} {last[reader]['rss_mb']:>7.0f}")
        ratio = statistics.median(times["calamine"]) / statistics.median(times["ours"])
        print(f"{path.name:<22} calamine/ours time: {ratio:.2f}; "
              f"guard (in front of either): {guard['seconds']:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
