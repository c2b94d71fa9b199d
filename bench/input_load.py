"""Loading data into the DataStore: raw COPY, stock xloader and our loader side by side.

Usage: input_load.py --ini SUITE.ini [--rows 1000000] [--xlsx-rows 100000]
(`scripts/portal bench` renders SUITE.ini with a fresh database.)

1M x 10 CSV:  (a) PostgreSQL `COPY ... FROM STDIN (FORMAT csv, HEADER)` into a plain typed
              table; (b) our loader end to end (read, convert, COPY into the shadow, swap),
              full-text indexing reported separately and in the total.
100k x 10 XLSX: (c) xloader's own `loader.load_table` (tabulator, as its job calls it);
              (d) our loader with its peak memory; (e) a dry-run validation (tabular.validate).
Each measurement runs in its own process. A benchmark, not a test: nothing is asserted.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import random
import resource as rusage
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
HEADER = ["kode_wilayah", "kode_barang", "nama", "jumlah", "selisih", "nilai", "persen",
          "tanggal", "aktif", "keterangan"]
TYPES = ["text", "text", "text", "int8", "int8", "numeric", "numeric", "date", "bool", "text"]
TIPE = ["CHARACTER", "CHARACTER", "CHARACTER", "INTEGER", "INTEGER", "DECIMAL", "DECIMAL",
        "DATE", "BOOLEAN", "CHARACTER"]


def _row(i: int, rng: random.Random) -> list[Any]:
    day = dt.date(2020, 1, 1) + dt.timedelta(days=i % 2000)
    return [f"{3514000000 + i % 300000:010d}", f"{i % 1000:04d}A", f"Desa {i % 5000}",
            rng.randint(0, 100000), rng.randint(-5000, 5000), rng.randint(0, 10**7) / 100,
            round(rng.random() * 100, 2), day, i % 3 != 0, f"catatan nomor {i}"]


def make_csv(rows: int) -> Path:
    path = OUT / f"input_{rows}.csv"
    if path.exists():
        return path
    rng = random.Random(1)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(HEADER) + "\n")
        for i in range(rows):
            r = _row(i, rng)
            fh.write(f"{r[0]},{r[1]},{r[2]},{r[3]},{r[4]},{r[5]:.2f},{r[6]:.2f},"
                     f"{r[7].isoformat()},{'true' if r[8] else 'false'},{r[9]}\n")
    return path


def make_xlsx(rows: int) -> Path:
    path = OUT / f"input_{rows}.xlsx"
    if path.exists():
        return path
    from openpyxl import Workbook

    rng = random.Random(2)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Data")
    sheet.append(HEADER)
    for i in range(rows):
        row = _row(i, rng)
        # Stock xloader cannot load native Excel booleans (it sends True into a numeric
        # column); as text both loaders read them.
        row[8] = "true" if row[8] else "false"
        sheet.append(row)
    book.save(path)
    return path


# --- children ----------------------------------------------------------------

def _app(ini: str) -> Any:
    from ckan.cli import CKANConfigLoader
    from ckan.config.middleware import make_app

    app = make_app(CKANConfigLoader(ini).get_config())
    logging.getLogger().setLevel(logging.WARNING)
    for name in ("ckan", "ckanext"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return app


def _site_context() -> dict[str, Any]:
    import ckan.plugins.toolkit as tk

    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": user["name"], "ignore_auth": True}


def child_setup(ini: str) -> dict[str, Any]:
    """Three resources in one dataset (format BENCH so nothing loads them automatically)."""
    import ckan.plugins.toolkit as tk

    _app(ini)
    context = _site_context()
    try:
        org = tk.get_action("organization_show")(dict(context), {"id": "bench-input"})
    except tk.ObjectNotFound:
        org = tk.get_action("organization_create")(dict(context), {"name": "bench-input"})
    name = f"bench-input-{int(time.time())}"
    pkg = tk.get_action("package_create")(dict(context), {
        "name": name, "title": "Bench input", "owner_org": org["id"], "license_id": "cc-by",
        "kategori": "DATA_DASAR", "klasifikasi_akses": "terbuka",
        "resources": [{"url": f"http://127.0.0.1/{n}", "format": "BENCH", "name": n}
                      for n in ("ours_csv", "xloader_xlsx", "ours_xlsx")]})
    return {r["name"]: r["id"] for r in pkg["resources"]}


def child_raw_copy(ini: str, path: str) -> dict[str, Any]:
    import psycopg2
    from ckan.cli import CKANConfigLoader

    url = CKANConfigLoader(ini).get_config()["ckan.datastore.write_url"]
    conn = psycopg2.connect(url)
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS bench_raw_copy")
    cur.execute("CREATE TABLE bench_raw_copy (" + ", ".join(
        f'"{h}" {t}' for h, t in zip(HEADER, TYPES, strict=True)) + ")")
    conn.commit()
    t0 = time.perf_counter()
    with open(path, "rb") as fh:
        cur.copy_expert("COPY bench_raw_copy FROM STDIN (FORMAT csv, HEADER)", fh)
    conn.commit()
    seconds = time.perf_counter() - t0
    cur.execute("SELECT count(*) FROM bench_raw_copy")
    rows = cur.fetchone()[0]
    cur.execute("DROP TABLE bench_raw_copy")
    conn.commit()
    return {"rows": rows, "seconds": seconds}


def child_ours(ini: str, path: str, resource_id: str, after: bool) -> dict[str, Any]:
    _app(ini)
    from ckanext.satudata.loader import run

    t0 = time.perf_counter()
    result = run.run_load(resource_id, path, Path(path).name, index_after_swap=after)
    total = time.perf_counter() - t0
    return {"rows": result.rows, "seconds": total, "timings": result.timings,
            "maxrss_self_kb": rusage.getrusage(rusage.RUSAGE_SELF).ru_maxrss}


def child_xloader(ini: str, path: str, resource_id: str) -> dict[str, Any]:
    _app(ini)
    from ckanext.xloader import loader

    logger = logging.getLogger("bench.xloader")
    t0 = time.perf_counter()
    loader.load_table(path, resource_id=resource_id, mimetype="xlsx", logger=logger)
    loader.calculate_record_count(resource_id=resource_id, logger=logger)
    seconds = time.perf_counter() - t0
    import ckan.plugins.toolkit as tk

    rows = tk.get_action("datastore_search")({"ignore_auth": True},
                                             {"resource_id": resource_id, "limit": 0})["total"]
    return {"rows": rows, "seconds": seconds,
            "maxrss_self_kb": rusage.getrusage(rusage.RUSAGE_SELF).ru_maxrss}


def child_validate(ini: str, path: str) -> dict[str, Any]:
    _app(ini)
    from ckanext.satudata.tabular.read import open_table
    from ckanext.satudata.tabular.structure import Column, Structure
    from ckanext.satudata.tabular.validate import Validation

    structure = Structure(columns=tuple(Column(id=h, label=h, tipe_data=t)
                                        for h, t in zip(HEADER, TIPE, strict=True)))
    t0 = time.perf_counter()
    with open_table(path, Path(path).name) as table:
        validation = Validation(table, structure)
        for _row in validation.rows():
            pass
    seconds = time.perf_counter() - t0
    summary = validation.summary
    return {"rows": summary.rows_valid, "rejected": summary.rows_rejected, "seconds": seconds}


CHILDREN = {"setup": child_setup, "raw_copy": child_raw_copy, "ours": child_ours,
            "xloader": child_xloader, "validate": child_validate}


def _run(ini: str, name: str, *args: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--ini", ini, "--child", name, *args],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.stderr.write(out.stderr[-4000:])
        raise SystemExit(f"{name} failed")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["maxrss_children_kb"] = rusage.getrusage(rusage.RUSAGE_CHILDREN).ru_maxrss
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ini", required=True)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--child")
    parser.add_argument("args", nargs="*")
    args = parser.parse_args()
    if args.child:
        params: list[Any] = list(args.args)
        if args.child == "ours":
            params[-1] = params[-1] == "after"
        print(json.dumps(CHILDREN[args.child](args.ini, *params), default=str))
        return 0

    OUT.mkdir(parents=True, exist_ok=True)
    print(f"Generating {args.rows:,} x 10 CSV and {args.xlsx_rows:,} x 10 XLSX under {OUT} ...",
          flush=True)
    csv_path, xlsx_path = make_csv(args.rows), make_xlsx(args.xlsx_rows)
    ids = _run(args.ini, "setup")
    # (d) first: RUSAGE_CHILDREN is a running maximum, so its figure is ours alone (+ setup).
    d = _run(args.ini, "ours", str(xlsx_path), ids["ours_xlsx"], "before")
    d_rss_children = d["maxrss_children_kb"]
    c = _run(args.ini, "xloader", str(xlsx_path), ids["xloader_xlsx"])
    e = _run(args.ini, "validate", str(xlsx_path))
    a = _run(args.ini, "raw_copy", str(csv_path))
    b = _run(args.ini, "ours", str(csv_path), ids["ours_csv"], "before")
    b2 = _run(args.ini, "ours", str(csv_path), ids["ours_csv"], "after")

    def rate(rows: int, seconds: float) -> float:
        return rows / seconds if seconds else 0.0

    b_data = b["timings"]["copy"] + b["timings"]["swap"]
    b2_data = b2["timings"]["copy"] + b2["timings"]["swap"]
    rows = [
        ("(a) raw COPY csv, typed table", a["rows"], a["seconds"], None),
        ("(b) ours: read+convert+COPY+swap", b["rows"], b_data, a),
        ("(b) ours incl. full-text + indexes", b["rows"], b["seconds"], a),
        ("(b') ours, swap first: data visible", b2["rows"], b2_data, a),
        ("(b') ours, swap first: incl. indexing", b2["rows"], b2["seconds"], a),
        ("(c) xloader load_table (xlsx)", c["rows"], c["seconds"], None),
        ("(d) ours (xlsx, end to end)", d["rows"], d["seconds"], c),
        ("(e) dry-run validation (xlsx)", e["rows"], e["seconds"], None),
    ]
    print()
    print(f"| {'measurement':40} | {'rows':>9} | {'seconds':>8} | {'rows/s':>9} | {'ratio':>6} |")
    print(f"|{'-' * 42}|{'-' * 11}|{'-' * 10}|{'-' * 11}|{'-' * 8}|")
    for label, n, seconds, base in rows:
        ratio = f"{rate(n, seconds) / rate(base['rows'], base['seconds']):6.2f}" if base else ""
        print(f"| {label:40} | {n:9,} | {seconds:8.2f} | {rate(n, seconds):9,.0f} | {ratio:>6} |")
    print()
    print(f"(b) stages: copy {b['timings']['copy']:.2f}s, full-text + indexes "
          f"{b['timings'].get('index', 0):.2f}s, swap {b['timings']['swap']:.3f}s; "
          f"(b') indexing after the swap {b2['timings'].get('index', 0):.2f}s")
    ratio_b = rate(b["rows"], b_data) / rate(a["rows"], a["seconds"])
    print(f"(b)/(a) rows/s (data in, swapped): {ratio_b:.2f}  (target >= 0.50)")
    print(f"(d)/(c) rows/s: {rate(d['rows'], d['seconds']) / rate(c['rows'], c['seconds']):.2f}"
          "  (target >= 3)")
    print(f"(d) peak RSS: {d['maxrss_self_kb'] / 1024:.0f} MB (process), "
          f"{d_rss_children / 1024:.0f} MB (RUSAGE_CHILDREN after (d))  (target < 500 MB); "
          f"(c) xloader peak RSS {c['maxrss_self_kb'] / 1024:.0f} MB")
    print(f"(e)/(d) dry-run time / load time: {e['seconds'] / d['seconds']:.2f}  (target < 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
