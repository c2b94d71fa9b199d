"""`ckan satudata periodic`: one schedule of the periodic jobs, last runs in Redis."""
from __future__ import annotations

import pytest
from ckan.cli.cli import ckan
from ckan.lib.redis import connect_to_redis

from ckanext.satudata import periodic

T0 = 1_800_000_000.0  # 2027-01-15 08:00 UTC
HOUR = 3600


@pytest.fixture
def no_last_runs(with_plugins):
    """No periodic job has run yet (this test's Redis database)."""
    conn = connect_to_redis()

    def clear() -> None:
        keys = list(conn.scan_iter("*:satudata:periodic:*"))
        if keys:
            conn.delete(*keys)

    clear()
    yield conn
    clear()


def test_the_schedule_holds_every_periodic_job_with_its_interval():
    jobs = periodic.schedule({})
    assert {job.name: (job.every, job.command(T0)) for job in jobs} == {
        "loader-sweep": (60, ["satudata-loader", "sweep"]),
        "harvest-stuck": (300, ["satudata", "harvest", "mark-stuck"]),
        "harvest": (300, ["harvester", "run"]),
        "reminders": (HOUR, ["verifikasi", "send-reminders"]),
        "tracking": (HOUR, ["tracking", "update", "2027-01-12"]),
        "discard-stale-imports": (HOUR, ["satudata", "discard-stale-imports"]),
        "daftar-reminders": (HOUR, ["satudata", "daftar", "remind"]),
        "permohonan-reminders": (HOUR, ["satudata", "permohonan", "remind"]),
        "index-check": (HOUR, ["verifikasi", "index-check", "--repair"]),
        "reports": (HOUR, ["satudata", "report", "--due"]),
        "integrasi-pull": (HOUR, ["satudata", "integrasi", "pull-due"]),
        "quality-scan": (24 * HOUR, ["satudata", "quality", "scan"]),
    }
    overridden = periodic.schedule({"SATUDATA_HARVEST_INTERVAL": "600",
                                    "SATUDATA_SWEEP_INTERVAL": "30"})
    assert [job.every for job in overridden][:3] == [30, 600, 600]
    with pytest.raises(ValueError, match="SATUDATA_HARVEST_INTERVAL"):
        periodic.schedule({"SATUDATA_HARVEST_INTERVAL": "5m"})


def test_each_due_job_runs_once_and_not_again_before_its_interval(no_last_runs):
    jobs = periodic.schedule({})
    ran: list[str] = []

    def runner(command):
        ran.append(" ".join(command))
        if command[0] == "harvester":
            raise RuntimeError("harvest source unreachable")  # a failure is still a run
        return 0

    def run_at(offset: float) -> list[str]:
        ran.clear()
        outcomes = periodic.run_due(T0 + offset, runner, jobs)
        assert [" ".join(o.command) for o in outcomes] == ran
        return [o.job.name for o in outcomes]

    everything = ["loader-sweep", "harvest-stuck", "harvest", "reminders", "tracking",
                  "discard-stale-imports", "daftar-reminders", "permohonan-reminders",
                  "index-check", "reports", "integrasi-pull", "quality-scan"]
    first = periodic.run_due(T0, runner, jobs)
    assert [o.job.name for o in first] == everything
    assert [o.exit_code for o in first] == [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    assert run_at(0) == []  # the same minute again: nothing
    assert run_at(59) == []
    assert run_at(60) == ["loader-sweep"]
    assert run_at(119) == []
    assert run_at(300) == ["loader-sweep", "harvest-stuck", "harvest"]
    assert run_at(HOUR - 1) == ["loader-sweep", "harvest-stuck", "harvest"]
    assert run_at(HOUR) == ["reminders", "tracking", "discard-stale-imports",
                            "daftar-reminders", "permohonan-reminders", "index-check",
                            "reports", "integrasi-pull"]
    # Last runs live in Redis: another process (a restarted scheduler) sees them.
    assert periodic.last_runs(jobs) == {
        "loader-sweep": T0 + HOUR - 1, "harvest-stuck": T0 + HOUR - 1,
        "harvest": T0 + HOUR - 1, "reminders": T0 + HOUR,
        "tracking": T0 + HOUR, "discard-stale-imports": T0 + HOUR,
        "daftar-reminders": T0 + HOUR, "permohonan-reminders": T0 + HOUR,
        "index-check": T0 + HOUR, "reports": T0 + HOUR, "integrasi-pull": T0 + HOUR,
        "quality-scan": T0}
    # A clock set back by more than an interval does not stop a job for that long.
    # (The daily quality scan ran at T0, less than a day ahead: not due.)
    assert run_at(HOUR - 2 * HOUR - 1) == everything[:-1]


def test_run_due_runs_the_real_commands_in_process_once(no_last_runs, cli, clean_db,
                                                        clean_index):
    result = cli.invoke(ckan, ["satudata", "periodic", "run-due"])

    assert result.exit_code == 0, result.output
    for command in ("satudata-loader sweep", "satudata harvest mark-stuck", "harvester run",
                    "verifikasi send-reminders",
                    "tracking update ", "satudata discard-stale-imports",
                    "satudata daftar remind", "satudata permohonan remind",
                    "verifikasi index-check --repair", "satudata report --due",
                    "satudata integrasi pull-due", "satudata quality scan"):
        assert f"ckan {command}" in result.output
    assert "failed" not in result.output
    assert "12 periodic jobs run" in result.output
    assert all(periodic.last_runs(periodic.schedule({})).values())

    again = cli.invoke(ckan, ["satudata", "periodic", "run-due"])
    assert again.exit_code == 0, again.output
    assert "0 periodic jobs run" in again.output

    status = cli.invoke(ckan, ["satudata", "periodic", "status"])
    assert "harvest: every 300 s, last run " in status.output
    assert "not due" in status.output and "never" not in status.output


def test_a_failing_job_fails_run_due_and_the_others_still_run(no_last_runs, cli,
                                                              monkeypatch):
    monkeypatch.setattr(periodic, "schedule", lambda environ=None: (
        periodic.Job("unknown", 60, lambda _now: ["no-such-command"]),
        periodic.Job("loader-sweep", 60, lambda _now: ["satudata-loader", "sweep"]),
    ))

    result = cli.invoke(ckan, ["satudata", "periodic", "run-due"])

    assert result.exit_code == 1, result.output
    assert "ckan no-such-command failed with exit code 2" in result.output
    assert "stale loads handled: 0" in result.output
