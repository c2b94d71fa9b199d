"""Stock CKAN and the Satu Data suite side by side, on the same services, in one run.

Usage (through `make bench`): run.py --stock STOCK.ini --suite SUITE.ini
Both configurations are seeded with the same datasets, each in its own process
(bench/measure.py), and both stay up. Every measurement is then taken in
alternating blocks (stock, suite, suite, stock, ...) over the same request
paths, so drift in the machine's speed during the run falls on both sides
alike. Prints p50/p95 for each measurement and the suite/stock ratio.
A benchmark, not a test: nothing is asserted.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BLOCKS = 10
ROWS = [("package_search + 6 facets", "package_search_facets"),
        ("dataset page (/dataset/<name>)", "dataset_page"),
        ("home page (/)", "home_page"),
        ("package_search, OPD operator", "package_search_operator"),
        ("dataset page, OPD operator", "dataset_page_operator"),
        # Suite pages stock CKAN lacks: stock's column is its dataset page (the target).
        ("/jadwal-rilis vs dataset page", "jadwal_rilis"),
        ("jadwal-rilis.ics vs dataset page", "jadwal_rilis_ics"),
        ("kpi_show vs dataset page", "kpi_show"),
        ("/kinerja-sdi vs dataset page", "kinerja_sdi"),
        # Issue 17: the public pages against stock's dataset page, with a year of
        # tracking and download rows and an indicator per ten datasets.
        ("home page (/) vs dataset page", "home_vs_dataset"),
        ("/statistik vs dataset page", "statistik"),
        ("/capaian-kinerja vs dataset page", "capaian_kinerja"),
        ("indicator page vs dataset page", "indicator_page"),
        # The walidata's staff pages, requested as the walidata.
        ("/monitoring vs dataset page", "monitoring"),
        ("/kualitas-metadata vs dataset page", "kualitas_metadata")]


class Subject:
    """One seeded configuration, answering timing requests."""

    def __init__(self, ini: str, datasets: int, daftar_entries: int):
        self.ini = ini
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "measure.py"), "--ini", ini,
             "--datasets", str(datasets), "--daftar-entries", str(daftar_entries)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.seed_datasets_per_s = self._answer()["seed_datasets_per_s"]

    def _answer(self) -> dict:
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line:
            raise SystemExit(f"measuring {self.ini} failed (exit {self.proc.wait()})")
        return json.loads(line)

    def timed(self, measure: str, start: int, count: int) -> list[float]:
        assert self.proc.stdin
        self.proc.stdin.write(json.dumps(
            {"measure": measure, "start": start, "count": count}) + "\n")
        self.proc.stdin.flush()
        return self._answer()["samples"]

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait()


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stock", required=True)
    parser.add_argument("--suite", required=True)
    parser.add_argument("--datasets", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--daftar-entries", type=int, default=2000,
                        help="Daftar Data entries of 2026 (12 periods each) in the suite")
    args = parser.parse_args()

    print(f"Seeding {args.datasets} datasets into each configuration, then measuring "
          f"{args.rounds} requests per row on each side in {BLOCKS} alternating blocks...",
          flush=True)
    stock = Subject(args.stock, args.datasets, args.daftar_entries)
    suite = Subject(args.suite, args.datasets, args.daftar_entries)
    per_block = max(1, args.rounds // BLOCKS)
    print()
    print(f"| {'measurement':32} | {'stock p50':>9} | {'suite p50':>9} | {'ratio':>5} "
          f"| {'stock p95':>9} | {'suite p95':>9} | {'ratio':>5} |")
    print(f"|{'-' * 34}|{'-' * 11}|{'-' * 11}|{'-' * 7}|{'-' * 11}|{'-' * 11}|{'-' * 7}|")
    for label, key in ROWS:
        samples: dict[str, list[float]] = {"stock": [], "suite": []}
        for block in range(BLOCKS):
            order = [("stock", stock), ("suite", suite)]
            for side, subject in order if block % 2 == 0 else reversed(order):
                samples[side] += subject.timed(key, block * per_block, per_block)
        (s50, s95), (t50, t95) = _percentiles(samples["stock"]), _percentiles(samples["suite"])
        print(f"| {label:32} | {s50:7.1f}ms | {t50:7.1f}ms | {t50 / s50:5.2f} "
              f"| {s95:7.1f}ms | {t95:7.1f}ms | {t95 / s95:5.2f} |", flush=True)
    print(f"| {'package_create (datasets/s)':32} | {stock.seed_datasets_per_s:9.1f} | "
          f"{suite.seed_datasets_per_s:9.1f} | "
          f"{suite.seed_datasets_per_s / stock.seed_datasets_per_s:5.2f} | "
          f"{'':9} | {'':9} | {'':5} |")
    print("\nratio = suite / stock (time: lower is better; datasets/s: higher is better)")
    stock.close()
    suite.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
