"""The production stack in docker/ is consistent (docker/check.py; no Docker engine).

These tests use no services and no fixtures: they only read files.
"""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECK = ROOT / "docker" / "check.py"


def _check_module():
    spec = importlib.util.spec_from_file_location("docker_check", CHECK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docker_static_checks_pass():
    result = subprocess.run([sys.executable, str(CHECK)], capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_reports_missing_healthcheck_unknown_dependency_and_undeclared_volume():
    check = _check_module()
    compose = {
        "services": {
            "web": {
                "healthcheck": {"test": ["CMD", "true"]},
                "depends_on": {"db": {"condition": "service_healthy"}},
                "volumes": ["storage:/var/lib/ckan"],
                "restart": "unless-stopped",
            },
            "redis": {"restart": "no"},
        },
        "volumes": {},
    }
    problems = "\n".join(check.check_services(compose, ROOT / "docker"))
    assert "service redis: no health check" in problems
    assert "depends_on unknown service db" in problems
    assert "volume storage is not declared" in problems
    assert "service redis: restart policy 'no'" in problems
    assert "service web: restart" not in problems


def test_every_background_service_restarts_and_runs_under_the_watchdog():
    import yaml

    check = _check_module()
    compose = yaml.safe_load((ROOT / "docker" / "docker-compose.yml").read_text())
    services = compose["services"]
    for name in ("worker", "harvest-gather", "harvest-fetch", "harvest-scheduler"):
        assert services[name]["restart"] == "unless-stopped", name
        assert "entrypoint.sh" in " ".join(services[name]["healthcheck"]["test"]), name
    entrypoint = check.ENTRYPOINT.read_text()
    # Stuck (not dead) consumers are stopped by the watchdog, then restarted by compose.
    for role, command in (("worker", "jobs worker"), ("consumer", "harvester gather-consumer"),
                          ("consumer", "harvester fetch-consumer")):
        assert f'watched {role} ckan -c "$CKAN_INI" {command}' in entrypoint
    # The sweep of dead loads runs every minute in the scheduler, not every pass.
    assert ': "${SATUDATA_SWEEP_INTERVAL:=60}"' in entrypoint


def test_check_reports_env_vars_missing_from_env_example_and_real_secrets():
    check = _check_module()
    compose = {"services": {"web": {"environment": {
        "A": "${SITE_URL:?required}", "B": "${OTHER:-x}", "C": "$$LITERAL"}}}}
    env_example = {"SITE_URL": "https://example.org", "SECRET_KEY": "0123456789abcdef"}
    problems = "\n".join(check.check_env_example(compose, env_example))
    assert "${OTHER}" in problems
    assert "LITERAL" not in problems
    assert "SECRET_KEY must be a placeholder" in problems


def test_check_reports_ini_placeholders_the_entrypoint_does_not_provide():
    check = _check_module()
    compose = {"services": {"ckan": {
        "build": {"context": "..", "dockerfile": "docker/Dockerfile"},
        "environment": {"SITE_URL": "x"},
    }}}
    entrypoint = 'INI_VARS=(\n  SITE_URL SECRET_KEY ROOT\n)\n: "${ROOT:=/srv/app}"\n'
    templates = {"a.ini.tmpl": "url = ${SITE_URL}\nkey = ${SECRET_KEY}\nnew = ${NEW_ONE}\n"}
    problems = "\n".join(
        check.check_ini_placeholders(compose, ROOT / "docker", templates, entrypoint))
    assert "needs ${NEW_ONE}" in problems
    assert "INI_VARS lists ROOT, which no template uses" in problems
    assert "service ckan: SECRET_KEY is not set" in problems
    assert "SITE_URL is not set" not in problems


def test_the_scheduler_service_runs_the_one_periodic_schedule():
    check = _check_module()
    entrypoint = check.ENTRYPOINT.read_text()
    assert ('exec ckan -c "$CKAN_INI" satudata periodic loop --heartbeat "$HEARTBEAT"'
            in entrypoint)
    # The jobs and their intervals live in ckanext/satudata/periodic.py only.
    for job in ("harvester run", "send-reminders", "tracking update", "index-check",
                "satudata-loader sweep", "discard-stale-imports"):
        assert job not in entrypoint, job


def test_nginx_rate_limits_login_and_anonymous_form_posts():
    """limit_req on POSTs to the login (and reset, sign-up, second step) and to the data
    request and survey forms, language prefix or not; other URLs and methods are not
    limited. (Checked by hand with nginx 1.22: 1 + burst posts pass, then 429.)"""
    import re

    conf = (ROOT / "docker" / "nginx" / "default.conf").read_text()
    # Only POSTs have a key; nginx does not count requests with an empty key.
    key_map = re.search(r"map \$request_method \$satudata_post_client \{(.*?)\}", conf, re.S)
    assert key_map and re.search(r"POST\s+\$binary_remote_addr;", key_map.group(1))
    assert re.search(r'default\s+"";', key_map.group(1))
    zones = dict(re.findall(
        r"limit_req_zone \$satudata_post_client zone=(\w+):\d+m rate=(\d+r/m);", conf))
    assert set(zones) == {"satudata_login", "satudata_forms"}, zones
    assert "limit_req_status 429;" in conf
    locations = re.findall(
        r'location ~ "([^"]+)" \{\s*limit_req zone=(\w+) burst=\d+ nodelay;\s*'
        r"proxy_pass http://ckan_web;\s*\}", conf)
    limited = {zone: re.compile(pattern) for pattern, zone in locations}
    assert set(limited) == set(zones), locations

    def zone_of(path: str) -> str | None:
        return next((z for z, rx in limited.items() if rx.search(path)), None)

    for path in ("/user/login", "/en/user/login", "/user/reset", "/user/reset/abc",
                 "/user/register", "/pengguna/2fa/verifikasi", "/en/pengguna/2fa/verifikasi"):
        assert zone_of(path) == "satudata_login", path
    for path in ("/permohonan-data", "/en/permohonan-data", "/permohonan-data/2026-0001/langkah",
                 "/isian/AbC-123", "/en/isian/AbC-123"):
        assert zone_of(path) == "satudata_forms", path
    for path in ("/", "/dataset/", "/user/logout", "/user/_logout", "/user/loginx",
                 "/api/3/action/user_show", "/webassets/x.js", "/isian", "/pengguna/2fa"):
        assert zone_of(path) is None, path
