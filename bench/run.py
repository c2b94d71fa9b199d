"""Stock CKAN and the Satu Data suite side by side, on the same services, in one run.

Usage (through `make bench`): run.py --stock STOCK.ini --suite SUITE.ini
Prints p50/p95 for each measurement and the suite/stock ratio. A benchmark,
not a test: nothing is asserted.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _measure(ini: str, datasets: int, rounds: int) -> dict:
    out = subprocess.run(
        [sys.executable, str(HERE / "measure.py"), "--ini", ini,
         "--datasets", str(datasets), "--rounds", str(rounds)],
        capture_output=True, text=True, check=False,
    )
    if out.returncode != 0:
        sys.stderr.write(out.stderr[-4000:])
        raise SystemExit(f"measuring {ini} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stock", required=True)
    parser.add_argument("--suite", required=True)
    parser.add_argument("--datasets", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()

    print(f"Seeding {args.datasets} datasets into each configuration and measuring "
          f"{args.rounds} requests per row...", flush=True)
    stock = _measure(args.stock, args.datasets, args.rounds)
    suite = _measure(args.suite, args.datasets, args.rounds)

    rows = [("package_search + 6 facets", "package_search_facets"),
            ("dataset page (/dataset/<name>)", "dataset_page"),
            ("home page (/)", "home_page"),
            ("package_search, OPD operator", "package_search_operator"),
            ("dataset page, OPD operator", "dataset_page_operator")]
    print()
    print(f"| {'measurement':32} | {'stock p50':>9} | {'suite p50':>9} | {'ratio':>5} "
          f"| {'stock p95':>9} | {'suite p95':>9} | {'ratio':>5} |")
    print(f"|{'-' * 34}|{'-' * 11}|{'-' * 11}|{'-' * 7}|{'-' * 11}|{'-' * 11}|{'-' * 7}|")
    for label, key in rows:
        s, t = stock[key], suite[key]
        print(f"| {label:32} | {s['p50_ms']:7.1f}ms | {t['p50_ms']:7.1f}ms | "
              f"{t['p50_ms'] / s['p50_ms']:5.2f} | {s['p95_ms']:7.1f}ms | {t['p95_ms']:7.1f}ms | "
              f"{t['p95_ms'] / s['p95_ms']:5.2f} |")
    print(f"| {'package_create (datasets/s)':32} | {stock['seed_datasets_per_s']:9.1f} | "
          f"{suite['seed_datasets_per_s']:9.1f} | "
          f"{suite['seed_datasets_per_s'] / stock['seed_datasets_per_s']:5.2f} | "
          f"{'':9} | {'':9} | {'':5} |")
    print("\nratio = suite / stock (time: lower is better; datasets/s: higher is better)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
