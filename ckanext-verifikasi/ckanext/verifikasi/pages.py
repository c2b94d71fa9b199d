"""Web pages of the verification workflow: inbox, dataset status, notifications, roles.

Every page reads and writes through the action API; the actions check access.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, current_app, make_response
from werkzeug.exceptions import Forbidden, NotFound

from ckanext.verifikasi import localtime, queue, review, workflow
from ckanext.verifikasi.helpers import verifikasi_role_label
from ckanext.verifikasi.request_args import int_arg
from ckanext.verifikasi.workflow import STEPS

verifikasi_pages = Blueprint("verifikasi_pages", __name__, url_prefix="/verifikasi")

STEP_ACTIONS = ("submit", "approve", "return", "withdraw")
#: Form fields each workflow step takes besides the dataset id.
STEP_FIELDS = {"submit": (), "approve": ("note",), "return": ("note", "deadline"),
               "withdraw": ("reason",)}
ROLE_CHOICES = ("operator", "surveyor", "verifikator", "walidata_pendukung", "walidata",
                "pembina")
#: Roles held in no single OPD (the form's OPD is left out for them).
GLOBAL_ROLE_CHOICES = ("walidata", "pembina")
ROLE_FIELDS = ("user", "role", "organization")


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name}


def _action(name: str, data: dict[str, Any] | None = None) -> Any:
    return tk.get_action(name)(_context(), data or {})


def _messages(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [m for v in value.values() for m in _messages(v)]
    if isinstance(value, (list, tuple)):
        return [m for v in value for m in _messages(v)]
    return [str(value)]


def _split_errors(errors: dict[str, Any], fields: tuple[str, ...]) -> tuple[dict, list[str]]:
    """Errors next to their form field, and the rest (status, metadata) for the whole form."""
    field_errors = {k: _messages(v) for k, v in errors.items() if k in fields}
    general = [m for k, v in errors.items() if k not in fields for m in _messages(v)]
    return field_errors, general


@verifikasi_pages.before_request
def _logged_in() -> Any:
    """Anonymous visitors are sent to the login form, and back here afterwards."""
    if not tk.current_user.is_authenticated:
        return tk.redirect_to(tk.url_for("user.login", came_from=tk.request.full_path))
    return None


@verifikasi_pages.errorhandler(tk.NotAuthorized)
def _forbidden(err: tk.NotAuthorized):
    return current_app.handle_http_exception(Forbidden(str(err) or None))


@verifikasi_pages.errorhandler(tk.ObjectNotFound)
def _not_found(err: tk.ObjectNotFound):
    return current_app.handle_http_exception(
        NotFound(str(err) or tk._("Dataset not found")))


# Kotak Masuk

@verifikasi_pages.route("/inbox")
def inbox() -> str:
    found = _action("verifikasi_queue_list")
    sort, organization = tk.request.args.get("urut"), tk.request.args.get("opd") or None
    every = found["waiting"] + found["returned"]
    return tk.render("verifikasi/inbox.html", {
        "queue": {key: queue.arranged(items, sort, organization)
                  for key, items in found.items()},
        "sort": sort if sort in queue.SORTS else "waiting_since",
        "organization": organization,
        "organizations": sorted({i["organization"] for i in every if i["organization"]}),
    })


# Status, history and steps of one dataset

def _available_steps(status: dict[str, Any], pkg: dict[str, Any],
                     my_roles: list[dict[str, Any]]) -> list[str]:
    """The steps the viewer can take now (the action still decides)."""
    user = tk.current_user
    # Walidata pendukung take the walidata's steps for datasets of their OPDs.
    walidata = any(r["role"] == "walidata" or (r["role"] == "walidata_pendukung" and
                                               r["organization_id"] == pkg.get("owner_org"))
                   for r in my_roles)
    opd_roles = {r["role"] for r in my_roles if r["organization_id"] == pkg.get("owner_org")}
    submitters = [h["actor_id"] for h in status["history"] if h["action"] == "submit"]
    own_submission = bool(submitters) and submitters[-1] == user.id
    steps: list[str] = []
    for step in STEPS:
        if step.from_state != status["state"] or step.action in steps:
            continue
        if step.action == "withdraw" and status["state"] != "published" \
                and not status["has_published"]:
            continue
        allowed = user.sysadmin or (walidata if step.role == "walidata"
                                    else step.role in opd_roles)
        if step.role == "verifikator" and step.action == "approve" and own_submission \
                and not user.sysadmin:
            allowed = False
        if allowed:
            steps.append(step.action)
    return steps


#: Rows of each DataStore table shown on the review page, and of the list of changes.
PREVIEW_ROWS = 10
CHANGES_PER_PAGE = 50


def _completeness(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """The check the submit makes (satudata's, through its action), None without it."""
    try:
        check = tk.get_action("satudata_metadata_check")
    except KeyError:
        return None
    return check(_context(), {"id": pkg["id"]})


#: What the review shows instead of a value of a column holding personal data.
MASKED = "••••"
#: Every column of every table (the viewer may not ask where the personal data is).
_ALL: frozenset[str] = frozenset({"*"})


def _personal_columns(pkg_id: str) -> dict[str, frozenset[str]] | None:
    """The columns of each DataStore table holding personal data, by satudata's scan
    (through its action; None without that plugin). The review shows their values
    masked: a reviewer judges a table without NIKs on screen, and the page shown after
    the personal data gate refused a step repeats no value. A viewer the scan does not
    answer sees every value masked."""
    try:
        check = tk.get_action("satudata_pii_check")
    except KeyError:
        return None
    try:
        found = check(_context(), {"package_id": pkg_id})
    except (tk.NotAuthorized, tk.ObjectNotFound, tk.ValidationError):
        return {"*": _ALL}
    columns: dict[str, set[str]] = {}
    for finding in found["findings"]:
        columns.setdefault(finding["resource_id"], set()).add(str(finding["column"]).lower())
    return {rid: frozenset(cols) for rid, cols in columns.items()}


def _masked_here(personal: dict[str, frozenset[str]] | None, resource_id: str,
                 column: str) -> bool:
    if not personal:
        return False
    cols = personal.get("*") or personal.get(resource_id) or frozenset()
    return cols is _ALL or column.lower() in cols


def _mask_values(values: list[Any] | None, columns: list[str], resource_id: str,
                 personal: dict[str, frozenset[str]] | None) -> list[Any] | None:
    if values is None:
        return None
    return [MASKED if v is not None and _masked_here(personal, resource_id, c) else v
            for c, v in zip(columns, values, strict=False)]


def _previews(pkg: dict[str, Any],
              personal: dict[str, frozenset[str]] | None = None) -> list[dict[str, Any]]:
    """The first rows and the columns (with their data dictionary) of each DataStore
    table, read as the viewer: what they may read is what they see (personal data
    masked)."""
    tables = []
    for res in pkg.get("resources", []):
        if not res.get("datastore_active"):
            continue
        try:
            found = _action("datastore_search", {"resource_id": res["id"],
                                                 "limit": PREVIEW_ROWS, "include_total": True})
        except (tk.ObjectNotFound, tk.NotAuthorized, KeyError):
            continue
        fields = [f for f in found["fields"] if f["id"] not in review.SYSTEM_COLUMNS]
        records = [{k: (MASKED if v is not None and _masked_here(personal, res["id"], k)
                        else v) for k, v in record.items()} for record in found["records"]]
        tables.append({"resource": res, "fields": fields, "records": records,
                       "total": found.get("total")})
    return tables


def _changes(status: dict[str, Any], pkg: dict[str, Any], tables: list[dict[str, Any]],
             personal: dict[str, frozenset[str]] | None = None) -> dict[str, Any] | None:
    """For an update of a published dataset: what it changes against the published
    version (metadata, resources, DataStore rows), and the page of changed rows the
    query string asks for (`tabel`, `jenis`, `halaman`). None otherwise."""
    if not status["has_published"] or status["state"] == "published":
        return None
    published = workflow.published_snapshot(pkg["id"])
    if published is None:
        return None
    readable = {t["resource"]["id"] for t in tables}
    names = {r["id"]: r.get("name") or r["id"] for r in published.get("resources") or []}
    names.update({r["id"]: r.get("name") or r["id"] for r in pkg.get("resources", [])})
    unread = {r["id"] for r in pkg.get("resources", [])
              if r.get("datastore_active") and r["id"] not in readable}
    # Tables the viewer reads now, and published ones whose resource or table is gone.
    candidates = [rid for rid in names if rid not in unread]
    layouts = review.layouts(candidates)
    diffs = [review.table_diff(layout) for layout in layouts.values()]
    for diff in diffs:
        diff.name = names[diff.resource_id]
    browse = _browse(pkg, layouts)
    if browse is not None:
        for row in browse["rows"]:
            for side in ("before", "after"):
                row[side] = _mask_values(row[side], browse["columns"], browse["resource_id"],
                                         personal)
    metadata = review.metadata_changes(published, pkg)
    order = _form_order(pkg)
    metadata.sort(key=lambda change: order.get(change["field"], len(order)))
    return {
        "published": published, "metadata": metadata,
        "resources": review.resource_changes(published, pkg), "tables": diffs,
        "browse": browse,
    }


def _form_order(pkg: dict[str, Any]) -> dict[str, int]:
    """Position of each field in the dataset's form (ckanext-scheming's schema, when
    that plugin is loaded): the metadata changes are listed in the form's order."""
    if "scheming_get_dataset_schema" not in tk.h:
        return {}
    schema = tk.h.scheming_get_dataset_schema(pkg.get("type") or "dataset") or {}
    return {f["field_name"]: n for n, f in enumerate(schema.get("dataset_fields", []))}


def _browse(pkg: dict[str, Any], layouts: dict[str, review.TableLayout]) -> dict[str, Any] | None:
    """The page of changed rows asked for, from a table of this dataset only."""
    args = tk.request.args
    table = args.get("tabel")
    if not table:
        return None
    if table not in layouts:
        raise tk.ObjectNotFound(tk._("This dataset has no such table to compare"))
    kind = args.get("jenis") or ""
    if kind and kind not in review.KINDS:
        tk.abort(400, tk._('The "jenis" argument must be one of {choices}.').format(
            choices=", ".join(review.KINDS)))
    page = int_arg("halaman", 1, minimum=1, maximum=100_000)
    layout = layouts[table]
    rows = review.table_rows(layout, kind or None, CHANGES_PER_PAGE + 1,
                             (page - 1) * CHANGES_PER_PAGE)
    return {"resource_id": table, "kind": kind, "page": page, "columns": layout.columns,
            "rows": rows[:CHANGES_PER_PAGE], "more": len(rows) > CHANGES_PER_PAGE}


def _dataset_page(id: str, action: str | None = None, errors: dict[str, Any] | None = None,
                  data: dict[str, Any] | None = None, code: int = 200):
    # verifikasi_status_show admits the dataset's team only: nothing below is read
    # for anyone else.
    status = _action("verifikasi_status_show", {"id": id})
    pkg = _action("package_show", {"id": status["id"]})
    my_roles = _action("verifikasi_role_list", {"user": tk.current_user.name})
    field_errors, general = _split_errors(errors or {}, STEP_FIELDS.get(action or "", ()))
    personal = _personal_columns(pkg["id"])
    tables = _previews(pkg, personal)
    changes = _changes(status, pkg, tables, personal)
    return tk.render("verifikasi/dataset.html", {
        "status": status, "pkg": pkg, "steps": _available_steps(status, pkg, my_roles),
        "form_action": action, "errors": field_errors, "error_list": general,
        "data": data or {}, "today": localtime.today().isoformat(),
        "completeness": _completeness(pkg), "tables": tables, "changes": changes,
        "changed_fields": [c["field"] for c in (changes or {}).get("metadata", [])],
    }), code


@verifikasi_pages.route("/dataset/<id>")
def dataset(id: str):
    return _dataset_page(id)


@verifikasi_pages.route("/dataset/<id>/<action>", methods=["POST"])
def dataset_step(id: str, action: str):
    if action not in STEP_ACTIONS:
        raise tk.ObjectNotFound(tk._("No such verification step"))
    form = {k: (tk.request.form.get(k) or "").strip() for k in STEP_FIELDS[action]}
    payload = {"id": id, **{k: v for k, v in form.items() if v}}
    try:
        event = _action(f"verifikasi_{action}", payload)
    except tk.ValidationError as err:
        return _dataset_page(id, action, err.error_dict, form, 400)
    except tk.NotAuthorized as err:
        # Shown on the page when the viewer may see it (e.g. approving one's own submission).
        return _dataset_page(id, action, {"state": [str(err)]}, form, 403)
    done = {
        "submit": tk._("The dataset was sent to the verifikator."),
        "approve": tk._("The dataset was approved and sent to the walidata."),
        "return": tk._("The dataset was returned to the operator for correction."),
        "withdraw": tk._("The dataset was withdrawn from publication."),
    }[action]
    if event.get("to_state") == "published":
        done = tk._("The dataset was approved and published.")
    tk.h.flash_success(done)
    return tk.redirect_to("verifikasi_pages.dataset", id=id)


# Notifications

@verifikasi_pages.route("/notifications")
def notifications() -> str:
    from ckanext.verifikasi.notify import linkify

    return tk.render("verifikasi/notifications.html",
                     {"result": _action("verifikasi_notification_list"), "linkify": linkify})


@verifikasi_pages.route("/notifications/read", methods=["POST"])
def notifications_read():
    _action("verifikasi_notification_list", {"mark_read": True})
    tk.h.flash_success(tk._("All notifications are marked as read."))
    return tk.redirect_to("verifikasi_pages.notifications")


# Roles (walidata)

def _organizations() -> list[dict[str, Any]]:
    """Every OPD (id, name, title), a page of the all-fields maximum at a time."""
    size = int(tk.config.get("ckan.group_and_organization_list_all_fields_max") or 25)
    found: list[dict[str, Any]] = []
    while True:
        page = _action("organization_list", {
            "all_fields": True, "include_dataset_count": False, "sort": "title asc",
            "limit": size, "offset": len(found)})
        found += [{"id": o["id"], "name": o["name"], "title": o["title"] or o["name"]}
                  for o in page]
        if len(page) < size:
            return found


def _roles_page(errors: dict[str, Any] | None = None, data: dict[str, Any] | None = None,
                code: int = 200):
    tk.check_access("verifikasi_role_assign", _context(), {})
    organizations = _organizations()
    selected = tk.request.args.get("organization") or ""
    filters = {"organization": selected} if selected else {}
    field_errors, general = _split_errors(errors or {}, ROLE_FIELDS)
    return tk.render("verifikasi/roles.html", {
        "roles": _action("verifikasi_role_list", filters),
        "organizations": organizations,
        "org_titles": {o["id"]: o["title"] for o in organizations},
        "role_choices": ROLE_CHOICES, "selected_organization": selected,
        "errors": field_errors, "error_list": general, "data": data or {},
    }), code


def _role_form() -> tuple[dict[str, str], dict[str, str]]:
    form = {k: (tk.request.form.get(k) or "").strip() for k in ROLE_FIELDS}
    payload = {k: v for k, v in form.items() if v}
    if payload.get("role") in GLOBAL_ROLE_CHOICES:
        payload.pop("organization", None)
    return form, payload


@verifikasi_pages.route("/roles")
def roles():
    return _roles_page()


@verifikasi_pages.route("/roles/assign", methods=["POST"])
def role_assign():
    tk.check_access("verifikasi_role_assign", _context(), {})
    form, payload = _role_form()
    try:
        result = _action("verifikasi_role_assign", payload)
    except tk.ValidationError as err:
        return _roles_page(err.error_dict, form, 400)
    if result["created"]:
        tk.h.flash_success(tk._("{user} is now {role}.").format(
            user=result["user"], role=verifikasi_role_label(result["role"])))
    else:
        tk.h.flash_notice(tk._("{user} already holds this role.").format(user=result["user"]))
    return tk.redirect_to("verifikasi_pages.roles")


@verifikasi_pages.route("/roles/revoke", methods=["POST"])
def role_revoke():
    tk.check_access("verifikasi_role_revoke", _context(), {})
    _, payload = _role_form()
    try:
        result = _action("verifikasi_role_revoke", payload)
    except (tk.ValidationError, tk.ObjectNotFound) as err:
        messages = _messages(err.error_dict) if isinstance(err, tk.ValidationError) \
            else [str(err)]
        tk.h.flash_error(" ".join(messages))
    else:
        tk.h.flash_success(tk._("The role {role} of {user} was revoked.").format(
            user=result["user"], role=verifikasi_role_label(result["role"])))
    return tk.redirect_to("verifikasi_pages.roles")


@verifikasi_pages.route("/audit")
def audit_log() -> tuple[str, int]:
    """Walidata: browse the audit log (newest first), filtered by user, OPD, action and
    local dates (see audit_pages), with names, labels and one-line summaries."""
    from ckanext.verifikasi import audit, audit_pages

    tk.check_access("verifikasi_audit_list", _context(), {})
    query, form, filter_errors = audit_pages.query(tk.request.args)
    offset = int_arg("offset", 0)
    entries = _action("verifikasi_audit_list", {**query, "limit": 100, "offset": offset})
    return tk.render("verifikasi/audit.html", {
        "entries": entries, "query": query, "offset": offset, "form": form,
        "filter_errors": filter_errors, "organizations": _organizations(),
        "actions": sorted(audit.action_labels().items(), key=lambda item: item[1]),
    }), 400 if filter_errors else 200


@verifikasi_pages.route("/audit.csv")
def audit_export():
    """Walidata: the audit log as CSV (spreadsheet-safe), up to 100,000 entries."""
    import csv
    import io

    from ckanext.verifikasi import audit_pages

    tk.check_access("verifikasi_audit_list", _context(), {})
    query, _form, filter_errors = audit_pages.query(tk.request.args)
    if filter_errors:
        return make_response("\n".join(filter_errors), 400,
                             {"Content-Type": "text/plain; charset=utf-8"})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(audit_pages.CSV_COLUMNS)
    offset = 0
    while offset < 100_000:
        batch = _action("verifikasi_audit_list", {**query, "limit": 1000, "offset": offset})
        for entry in batch:
            writer.writerow(audit_pages.csv_row(entry))
        if len(batch) < 1000:
            break
        offset += 1000
    return make_response(out.getvalue(), 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": "attachment; filename=audit-satudata.csv"})
