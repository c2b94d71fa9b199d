"""A sync run: rows pushed by an OPD system, or a file pulled from its URL.

Both go through the data input's own actions (`satudata_input_rows_save` for a push,
`satudata_input_import_check` + `satudata_input_import_apply` for a pull): the same
validation, every error reported, all or nothing, and the same route to the public (a
published dataset gets an update that goes through the verification stages).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from ckanext.satudata import config, safe_fetch
from ckanext.satudata.inputdata import worktable
from ckanext.satudata.integrasi import alerts
from ckanext.satudata.integrasi.access import input_and_org
from ckanext.satudata.integrasi.model import Integrasi, IntegrasiPull, IntegrasiRun
from ckanext.satudata.model import InputPackage
from ckanext.satudata.tabular import validate
from ckanext.satudata.tabular.structure import Period, Structure

log = logging.getLogger(__name__)

#: Errors kept per run (the API answer of a push still lists every one).
ERRORS_KEPT = 200


def _start(inp: InputPackage, organization_id: str, mode: str, period: str | None,
           integrasi_id: str | None) -> IntegrasiRun:
    run = IntegrasiRun(integrasi_id=integrasi_id, input_id=inp.id,
                       organization_id=organization_id, mode=mode, period=period,
                       state="running", errors=[])
    model.Session.add(run)
    model.Session.commit()
    return run


def _finish(run: IntegrasiRun, state: str, *, received: int, accepted: int, rejected: int,
            errors: list[str]) -> None:
    run.state = state
    run.finished = dt.datetime.utcnow()
    run.rows_received, run.rows_accepted, run.rows_rejected = received, accepted, rejected
    run.errors = [str(e) for e in errors[:ERRORS_KEPT]]
    model.Session.commit()


def _messages(err: tk.ValidationError) -> list[str]:
    out: list[str] = []
    for field, messages in (err.error_dict or {}).items():
        items = messages if isinstance(messages, list) else [messages]
        out += [str(m) if field in ("rows", "upload") else f"{field}: {m}" for m in items]
    return out or [str(err)]


def run_dict(run: IntegrasiRun) -> dict[str, Any]:
    return {"id": run.id, "integrasi_id": run.integrasi_id, "input_id": run.input_id,
            "organization_id": run.organization_id, "mode": run.mode, "period": run.period,
            "state": run.state, "started": run.started.isoformat(),
            "finished": run.finished.isoformat() if run.finished else None,
            "rows_received": run.rows_received, "rows_accepted": run.rows_accepted,
            "rows_rejected": run.rows_rejected, "errors": list(run.errors or [])}


# --- push ---------------------------------------------------------------------------

def _with_row_ids(inp: InputPackage, period: Period, rows: list[Any]) -> list[dict[str, Any]]:
    """The pushed rows ({column: value}) as rows of `satudata_input_rows_save`: a row whose
    key columns match a stored row of the period updates it (the upsert), others are new.
    Rows that fail validation are passed on unchanged: the save reports every error."""
    structure = Structure.from_dict(inp.structure)
    key_index = [i + 1 for i, c in enumerate(structure.columns) if c.key]
    with worktable.transaction() as conn:
        existing = worktable.keys_of_period(conn, inp.id, structure, period.code())
    out: list[dict[str, Any]] = []
    for values in rows:
        if not isinstance(values, dict):
            out.append({"values": values})
            continue
        row: dict[str, Any] = {"values": values}
        if key_index:
            normalised, errors = validate.validate_row(structure, values, period=period)
            if not errors:
                row_id = existing.get(tuple(normalised[i] for i in key_index))
                if row_id is not None:
                    row["_row"] = row_id
        out.append(row)
    return out


#: First key of pg_advisory_lock(int, int): "SDIN" as an int32, one sync per input package.
LOCK_NAMESPACE = 0x5344494E


@contextmanager
def one_sync_at_a_time(input_id: str) -> Iterator[None]:
    """Two syncs of one input package wait for each other: a push reads which keys are
    stored before it writes, so two pushes with the same new key would both add it."""
    with model.meta.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        key = {"ns": LOCK_NAMESPACE, "id": input_id}
        conn.execute(sa.text("SELECT pg_advisory_lock(:ns, hashtext(:id))"), key)
        try:
            yield
        finally:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:ns, hashtext(:id))"), key)


def push(user: model.User, found: Integrasi, input_id: str, period_code: str,
         rows: list[Any]) -> dict[str, Any]:
    """Upsert the rows of one period by the key columns (all or nothing); a sync run."""
    with one_sync_at_a_time(input_id):
        return _push(user, found, input_id, period_code, rows)


def _push(user: model.User, found: Integrasi, input_id: str, period_code: str,
          rows: list[Any]) -> dict[str, Any]:
    inp, org = input_and_org(input_id)
    run = _start(inp, org, "push", period_code, found.id)
    context = {"user": user.name, "ignore_auth": True}
    try:
        try:
            period = Period.parse(period_code)
        except ValueError:
            period = None
        if period is None or period.frequency != inp.frequency:
            prepared = [{"values": r} for r in rows]
        else:
            prepared = _with_row_ids(inp, period, rows)
        result = tk.get_action("satudata_input_rows_save")(context, {
            "id": inp.id, "period": period_code, "rows": prepared})
    except tk.ValidationError as err:
        # The row save's error (RowsInvalid) names each wrong cell by its row index.
        cells = getattr(err, "cells", None)
        rejected = len({cell[0] for cell in cells}) if cells else len(rows)
        _finish(run, "failed", received=len(rows), accepted=0, rejected=rejected,
                errors=_messages(err))
        alerts.send(run)
        raise
    _finish(run, "success", received=len(rows),
            accepted=result["added"] + result["updated"], rejected=0, errors=[])
    return {**result, "run": run_dict(run)}


# --- pull ---------------------------------------------------------------------------

class _Upload:
    """What `satudata_input_import_check` reads of an upload: a name and a stream."""

    def __init__(self, path: Path, filename: str):
        self.filename = filename
        self.stream = open(path, "rb")  # noqa: SIM115 - closed by close()

    def close(self) -> None:
        self.stream.close()


def json_to_csv(raw: bytes) -> bytes:
    """A JSON list of objects (or {"rows"|"records"|"data": [...]}) as CSV text."""
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as err:
        raise tk.ValidationError({"upload": [tk._("The file is not valid JSON")]}) from err
    if isinstance(data, dict):
        data = next((data[k] for k in ("rows", "records", "data") if k in data), None)
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise tk.ValidationError({"upload": [tk._(
            "The JSON must be a list of objects, one per row")]})
    header: list[str] = []
    for row in data:
        header += [k for k in row if k not in header]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in data:
        writer.writerow(["" if row.get(k) is None else row.get(k) for k in header])
    return out.getvalue().encode("utf-8")


def _service_or_site_user(pull: IntegrasiPull) -> str:
    found = model.Session.get(Integrasi, pull.integrasi_id) if pull.integrasi_id else None
    if found is not None and found.status == "approved" and found.service_user_id:
        user = model.User.get(found.service_user_id)
        if user is not None:
            return user.name
    return tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]


def pull(pull_id: str, *, send_now: bool = True) -> IntegrasiRun | None:
    """Fetch the pull's URL (through safe_fetch), check and apply it as a file import of
    its period, and record the run; alerts on failure."""
    found = model.Session.get(IntegrasiPull, pull_id)
    if found is None:
        return None
    with one_sync_at_a_time(found.input_id):
        return _pull(found, send_now=send_now)


def _pull(found: IntegrasiPull, *, send_now: bool) -> IntegrasiRun:
    pull_id = found.id
    inp, org = input_and_org(found.input_id)
    run = _start(inp, org, "pull", found.period, found.integrasi_id)
    found.last_run = run.started
    model.Session.commit()
    context = {"user": _service_or_site_user(found), "ignore_auth": True}
    suffix = {"csv": ".csv", "json": ".csv", "xlsx": ".xlsx"}[found.format]
    summary: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="satudata-pull-") as tmp:
        path = Path(tmp) / f"tarik{suffix}"
        upload = None
        try:
            with open(path, "wb") as out:
                safe_fetch.fetch_to_file(found.url, out,
                                         max_bytes=config.input_max_upload_bytes())
            if found.format == "json":
                path.write_bytes(json_to_csv(path.read_bytes()))
            upload = _Upload(path, f"tarik-{run.started:%Y%m%d-%H%M}{suffix}")
            checked = tk.get_action("satudata_input_import_check")(dict(context), {
                "id": inp.id, "period": found.period, "upload": upload})
            summary = checked["summary"]
            applied = tk.get_action("satudata_input_import_apply")(dict(context), {
                "import_id": checked["id"], "mode": "all_or_nothing"})
        except safe_fetch.FetchError as err:
            _finish(run, "failed", received=0, accepted=0, rejected=0,
                    errors=[tk._(err.msgid).format(**err.params)])
        except tk.ValidationError as err:
            errors = [f"{e['message']} ({e['column'] or ''} {e['row'] or ''})".replace(
                " ()", "") for e in (summary.get("file_errors") or []) +
                (summary.get("errors") or [])] or _messages(err)
            _finish(run, "failed", received=int(summary.get("rows_read") or 0), accepted=0,
                    rejected=int(summary.get("rows_rejected") or 0), errors=errors)
        except Exception as err:  # an unexpected error still ends the run as failed
            log.exception("integrasi: pull %s failed", pull_id)
            model.Session.rollback()
            _finish(run, "failed", received=0, accepted=0, rejected=0,
                    errors=[tk._("Unexpected error: {error}").format(
                        error=type(err).__name__)])
        else:
            _finish(run, "success", received=int(applied["summary"].get("rows_read") or 0),
                    accepted=int(applied["rows_applied"] or 0),
                    rejected=int(applied["summary"].get("rows_rejected") or 0), errors=[])
        finally:
            if upload is not None:
                upload.close()
    if run.state == "failed":
        alerts.send(run, send_now=send_now)
    return run
