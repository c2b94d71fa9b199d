"""Measure one CKAN configuration: seed datasets, then time searches and page renders.

Run by bench/run.py once per configuration, each in its own process (CKAN's
config and plugins are process-global); both stay up while run.py asks them
for blocks of timed requests in turn.
Requests go through CKAN's WSGI app in-process, so HTTP server overhead is
left out and the two configurations are compared on CKAN's own work.
"""
from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import time
from typing import Any

from werkzeug.test import Client

FACETS = ["organization", "tags", "res_format", "license_id", "kategori", "klasifikasi_akses"]
WORDS = ["ternak", "susu", "padi", "puskesmas", "murid", "jalan", "penduduk", "pasar",
         "irigasi", "sekolah", "kecamatan", "desa", "produksi", "populasi", "anggaran"]
FORMATS = ["CSV", "XLSX", "PDF", "JSON"]
KATEGORI = ["DATA_DASAR", "DATA_GEOSPASIAL", "DATA_KEWILAYAHAN", "DATA_MIKRO"]
SPATIAL = json.dumps({"type": "Polygon", "coordinates": [[
    [112.6, -7.98], [113.05, -7.98], [113.05, -7.55], [112.6, -7.55], [112.6, -7.98]]]})


def _load_app(ini: str):
    from ckan.cli import CKANConfigLoader
    from ckan.config.middleware import make_app

    app = make_app(CKANConfigLoader(ini).get_config())
    logging.getLogger().setLevel(logging.WARNING)
    for name in ("ckan", "ckanext"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return app


def _seed(count: int, seed: int) -> list[str]:
    import ckan.plugins.toolkit as tk

    rng = random.Random(seed)
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context: dict[str, Any] = {"user": site_user["name"], "ignore_auth": True}
    orgs = []
    for i in range(12):
        name = f"opd-{i:02d}"
        try:
            orgs.append(tk.get_action("organization_show")(dict(context), {"id": name})["id"])
        except tk.ObjectNotFound:
            orgs.append(tk.get_action("organization_create")(
                dict(context), {"name": name, "title": f"Dinas {i:02d}"})["id"])
    from ckanext.satudata.ms_keg_sample import complete_ms_keg

    # The MS-Keg the suite requires before publication (stock CKAN refuses its lists).
    suite = _has_action("satudata_metadata_check")
    names = []
    for i in range(count):
        words = rng.sample(WORDS, 3)
        name = f"dataset-{i:05d}"
        names.append(name)
        title = " ".join(w.capitalize() for w in words) + f" Tahun {2015 + i % 11}"
        kategori = rng.choice(KATEGORI)
        required: dict[str, Any] = {}
        if suite:
            required = complete_ms_keg(title, 2015 + i % 11, f"Dinas {i % 12:02d}")
            if kategori == "DATA_GEOSPASIAL":
                required["spatial"] = SPATIAL
        tk.get_action("package_create")(dict(context), {
            **required,
            "name": name,
            "title": title,
            "notes": "Data " + " ".join(rng.sample(WORDS, 6)) + " Kabupaten Pasuruan.",
            "owner_org": rng.choice(orgs),
            "license_id": "cc-by",
            # Public from the start: the suite publishes a sysadmin's public dataset at
            # once (through verifikasi's gate); without it the dataset is a draft.
            "private": False,
            "kategori": kategori,
            "klasifikasi_akses": "terbuka",
            "tags": [{"name": w} for w in words],
            # One to four resources, as real datasets have (per-resource costs show).
            "resources": [{"url": f"http://127.0.0.1/{name}-{r}.{fmt.lower()}",
                           "format": fmt, "name": f"Tabel {r + 1}"}
                          for r, fmt in enumerate(rng.sample(FORMATS, rng.randint(1, 4)))],
        })
    from ckan.lib.search import commit
    commit()
    return names


def _has_action(name: str) -> bool:
    import ckan.plugins.toolkit as tk

    try:
        tk.get_action(name)
    except KeyError:
        return False
    return True


def _seed_daftar(names: list[str], count: int, seed: int) -> None:
    """The suite's Daftar Data of 2026: `count` entries (a third of them priority), each
    monthly (12 periods), an entry in four linked to a dataset; the periods of the months
    gone by released, one in five late. Created through the action (validated, logged);
    only the release times are set directly, as the workflow's published signal would."""
    import datetime as dt

    import ckan.plugins.toolkit as tk
    import sqlalchemy as sa
    from ckan import model

    from ckanext.satudata.daftar.model import DaftarPeriod

    rng = random.Random(seed)
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context: dict[str, Any] = {"user": site_user["name"], "ignore_auth": True}
    unlinked: dict[str, list[str]] = {}
    for name, org in model.Session.execute(
            sa.select(model.Package.name, model.Group.name)
            .join(model.Group, model.Group.id == model.Package.owner_org)
            .where(model.Package.name.in_(names))):
        unlinked.setdefault(org, []).append(name)
    for i in range(count):
        org = f"opd-{i % 12:02d}"
        package = None
        if i % 4 == 0 and unlinked.get(org):
            package = unlinked[org].pop()
        tk.get_action("satudata_daftar_data_create")(dict(context), {
            "year": 2026, "organization": org, "title": f"Data {i:05d} " + rng.choice(WORDS),
            "kategori": rng.choice(KATEGORI), "sektor": "PERTANIAN_DAN_PERIKANAN",
            "prioritas": i % 3 == 0, "frequency": "bulanan", "package_id": package,
            "periods": [{"period": f"{m:02d}", "planned": f"2026-{m:02d}-15"}
                        for m in range(1, 13)]})
    today = dt.date.today()
    for period in model.Session.scalars(sa.select(DaftarPeriod).where(
            DaftarPeriod.planned < today)):
        late = rng.random() < 0.2
        period.released = dt.datetime.combine(
            period.planned + dt.timedelta(days=rng.randint(1, 20) if late else 0),
            dt.time(9))
    model.Session.commit()


def _seed_indicators(names: list[str], count: int, seed: int) -> list[str]:
    """The suite's published indicators (MS-Ind): `count` of them, each produced by one of
    the datasets and with five years of target and realisation (2021-2025), made public
    at once as a sysadmin's public dataset is. Stock CKAN has no indicator type: none."""
    import ckan.plugins.toolkit as tk

    from ckanext.satudata.ms_keg_sample import complete_ms_ind

    rng = random.Random(seed)
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context: dict[str, Any] = {"user": site_user["name"], "ignore_auth": True}
    made = []
    for i in range(count):
        activity = tk.get_action("package_show")(dict(context), {"id": names[i % len(names)]})
        title = f"Indikator {i:05d} " + rng.choice(WORDS)
        target = rng.randint(50, 100)
        tk.get_action("package_create")(dict(context), {
            **complete_ms_ind(title, activity["title"], capaian=[
                {"tahun": year, "target": str(target + k),
                 "realisasi": str(round(target * rng.uniform(0.6, 1.2), 1))}
                for k, year in enumerate(range(2021, 2026))]),
            "name": f"indikator-{i:05d}", "title": title, "ms_keg_id": activity["id"],
            "owner_org": activity["owner_org"], "kategori": "DATA_DASAR",
            "klasifikasi_akses": "terbuka", "license_id": "cc-by", "private": False})
        made.append(f"indikator-{i:05d}")
    from ckan.lib.search import commit
    commit()
    return made


def _seed_usage(days: int) -> None:
    """A year of usage of every dataset, as the statistics read it: a page-view row per
    dataset per day in core's tracking_summary (both configurations have the table) and,
    in the suite, a download row per resource per day. Counts are fixed by a hash, so
    both configurations get the same rows."""
    import sqlalchemy as sa
    from ckan import model

    model.Session.execute(sa.text("""
        INSERT INTO tracking_summary (url, package_id, tracking_type, count, running_total,
                                      recent_views, tracking_date)
        SELECT '/dataset/' || p.name, p.id, 'page', (hashtext(p.id || d::text) & 15) + 1,
               0, 0, d::date
        FROM package p CROSS JOIN generate_series(current_date - :days + 1, current_date,
                                                  interval '1 day') d
        WHERE p.state = 'active'"""), {"days": days})
    if sa.inspect(model.Session.get_bind()).has_table("satudata_download_daily"):
        model.Session.execute(sa.text("""
            INSERT INTO satudata_download_daily (resource_id, day, package_id, count)
            SELECT r.id, d::date, r.package_id, (hashtext(r.id || d::text) & 7) + 1
            FROM resource r CROSS JOIN generate_series(current_date - :days + 1,
                                                       current_date, interval '1 day') d
            WHERE r.state = 'active'"""), {"days": days})
    model.Session.commit()


def _operator_token() -> str:
    """An OPD operator (a verifikasi role in the suite, an org editor in stock CKAN)."""
    import ckan.plugins.toolkit as tk

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context: dict[str, Any] = {"user": site_user["name"], "ignore_auth": True}
    user = tk.get_action("user_create")(dict(context), {
        # The password passes the portal's password policy.
        "name": "bench-operator", "email": "bench@example.org",
        "password": "Ukur-Cepat-Lambat-2026"})
    try:
        tk.get_action("verifikasi_role_assign")(dict(context), {
            "user": user["name"], "role": "operator", "organization": "opd-00"})
    except KeyError:
        tk.get_action("organization_member_create")(dict(context), {
            "id": "opd-00", "username": user["name"], "role": "editor"})
    return tk.get_action("api_token_create")(dict(context), {
        "user": user["name"], "name": "bench"})["token"]


def _walidata_token() -> str | None:
    """The walidata (a verifikasi role, every OPD); None in stock CKAN, which has no
    walidata and answers the walidata's pages with its dataset page, anonymously."""
    import ckan.plugins.toolkit as tk

    if not _has_action("verifikasi_role_assign"):
        return None
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context: dict[str, Any] = {"user": site_user["name"], "ignore_auth": True}
    user = tk.get_action("user_create")(dict(context), {
        "name": "bench-walidata", "email": "walidata@example.org",
        "password": "Ukur-Cepat-Lambat-2026"})
    tk.get_action("verifikasi_role_assign")(dict(context), {
        "user": user["name"], "role": "walidata"})
    return tk.get_action("api_token_create")(dict(context), {
        "user": user["name"], "name": "bench"})["token"]


def _paths(names: list[str],
           indicators: list[str] | None = None) -> dict[str, tuple[list[str], str]]:
    """{measurement: (paths, as whom: "" anonymous, "operator" or "walidata")}; the
    same paths in every configuration."""
    rng = random.Random(7)
    facet_param = json.dumps(FACETS)
    search = [
        f"/api/3/action/package_search?q={rng.choice(WORDS)}&rows=20"
        f"&facet.field={facet_param}&facet.limit=50"
        for _ in range(50)
    ]
    pages = [f"/dataset/{rng.choice(names)}" for _ in range(50)]
    measurements = {
        "package_search_facets": (search, ""),
        "dataset_page": (pages, ""),
        "home_page": (["/"], ""),
        "package_search_operator": (search, "operator"),
        "dataset_page_operator": (pages, "operator"),
    }
    # Pages stock CKAN does not have are compared with its dataset page, as the issues
    # that asked for them set their targets (stock CKAN answers with the dataset pages).
    suite_only = {
        "jadwal_rilis": ("satudata_daftar_data_list",
                         ["/jadwal-rilis?tahun=2026", "/jadwal-rilis?tahun=2026&prioritas=ya",
                          "/jadwal-rilis?tahun=2026&organization=opd-03"]),
        "jadwal_rilis_ics": ("satudata_daftar_data_list", ["/jadwal-rilis.ics"]),
        "kpi_show": ("satudata_kpi_show", ["/api/3/action/satudata_kpi_show?year=2026",
                                           "/api/3/action/satudata_kpi_show?year=2026"
                                           "&organization=opd-03"]),
        "kinerja_sdi": ("satudata_kpi_show", ["/kinerja-sdi?tahun=2026"]),
        # Issue 17 sets the portal's own public pages against stock's dataset page.
        "home_vs_dataset": ("satudata_metadata_check", ["/"]),
        "statistik": ("satudata_statistics_show", ["/statistik"]),
        "capaian_kinerja": ("satudata_statistics_show", ["/capaian-kinerja"]),
        "indicator_page": ("satudata_metadata_check",
                           [f"/indikator/{rng.choice(indicators)}" for _ in range(20)]
                           if indicators else pages),
    }
    for key, (action, paths) in suite_only.items():
        measurements[key] = (paths if _has_action(action) else pages, "")
    # The walidata's staff pages (every OPD's figures), as the walidata.
    staff = {
        "monitoring": ("satudata_monitoring_show",
                       ["/monitoring/?year=2026", "/monitoring/?year=2026&organization=opd-03",
                        "/monitoring/?year=2026&sort=percent_verified&order=desc"]),
        "kualitas_metadata": ("satudata_quality_ticket_list",
                              ["/kualitas-metadata/",
                               "/kualitas-metadata/?organization=opd-03"]),
    }
    for key, (action, paths) in staff.items():
        measurements[key] = (paths, "walidata") if _has_action(action) else (pages, "")
    return measurements


def _timed(client, paths: list[str], start: int, count: int,
           headers: dict[str, str]) -> list[float]:
    """Milliseconds of requests start..start+count (cycling through `paths`)."""
    samples = []
    for i in range(start, start + count):
        url = paths[i % len(paths)]
        began = time.perf_counter()
        response = client.get(url, headers=headers)
        samples.append((time.perf_counter() - began) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return samples


def main() -> int:
    """Seed, say so on stdout, then answer timing requests read from stdin.

    Each request is a JSON line {"measure", "start", "count"}; the answer is a
    JSON line {"samples": [ms, ...]}. bench/run.py drives two of these processes
    (stock and suite) in alternating blocks, so that a slower or faster spell of
    the machine falls on both alike.
    """
    parser = argparse.ArgumentParser()
    parser.add_argument("--ini", required=True)
    parser.add_argument("--datasets", type=int, default=1000)
    parser.add_argument("--daftar-entries", type=int, default=2000)
    args = parser.parse_args()

    app = _load_app(args.ini)
    # The whole WSGI stack, middleware included (as CKAN's own test client does).
    client = Client(app)
    seed_start = time.perf_counter()
    names = _seed(args.datasets, seed=42)
    seed_s = time.perf_counter() - seed_start
    if _has_action("satudata_daftar_data_create"):
        # The action answers with dates in the request's language: a request context.
        with app._wsgi_app.test_request_context():
            _seed_daftar(names, args.daftar_entries, seed=43)
    indicators = (_seed_indicators(names, max(1, args.datasets // 10), seed=44)
                  if _has_action("satudata_metadata_check") else [])
    _seed_usage(days=365)
    walidata = _walidata_token()
    headers = {"": {}, "operator": {"Authorization": _operator_token()},
               "walidata": {"Authorization": walidata} if walidata else {}}
    measurements = _paths(names, indicators)
    # One warm-up pass of each so template compilation and caches are not measured.
    for paths, who in measurements.values():
        _timed(client, paths, 0, min(5, len(paths)), headers[who])

    print(json.dumps({"seed_datasets_per_s": args.datasets / seed_s}), flush=True)
    for line in sys.stdin:
        ask = json.loads(line)
        paths, who = measurements[ask["measure"]]
        samples = _timed(client, paths, ask["start"], ask["count"], headers[who])
        print(json.dumps({"samples": samples}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
