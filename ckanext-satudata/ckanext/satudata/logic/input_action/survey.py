"""Survey links: respondents submit rows of one period into staging, where the package's
editors accept or reject them."""
from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.types import Context, DataDict

from ckanext.satudata import config
from ckanext.satudata.inputdata import access, publishing, worktable
from ckanext.satudata.logic.input_action import schema
from ckanext.satudata.logic.input_action.common import (
    column_id,
    input_of,
    period_of,
    raise_if,
    user_of,
)
from ckanext.satudata.logic.input_action.rows import check_rows
from ckanext.satudata.model import InputPackage, SurveyLink, SurveySubmission
from ckanext.satudata.tabular import validate
from ckanext.satudata.tabular.structure import Period, Structure


def _link_dict(link: SurveyLink) -> dict[str, Any]:
    return {"id": link.id, "input_id": link.input_id, "token": link.token,
            "url": tk.url_for("satudata_input.survey", token=link.token, _external=True),
            "title": link.title, "period": link.period, "columns": link.columns,
            "expires": link.expires.isoformat() if link.expires else None,
            "max_submissions": link.max_submissions, "login_required": link.login_required,
            "submissions": link.submissions,
            "revoked": link.revoked.isoformat() if link.revoked else None,
            "created": link.created.isoformat()}


def _datetime(value: Any, field: str) -> dt.datetime | None:
    """`schema.local_datetime`, its error named by `field`."""
    try:
        return schema.local_datetime(value)
    except tk.Invalid as err:
        raise tk.ValidationError({field: [err.error]}) from None


def _asked_columns(structure: Structure, columns: list[str]) -> dict[str, list[str]]:
    """The errors of the columns a link asks: unknown ones, or required ones left out."""
    unknown = [c for c in columns if structure.column(c) is None]
    missing = [c.label for c in structure.columns if c.required and c.id not in columns]
    if unknown:
        return {"columns": [tk._("Unknown columns: {names}").format(names=", ".join(unknown))]}
    if missing:
        return {"columns": [tk._("Required columns must be asked: {names}").format(
            names=", ".join(missing))]}
    return {}


def satudata_survey_link_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A share link for respondents to submit rows of one period into staging.

    Args:
        id: the input package. period: period code. title: shown on the form.
        columns: column ids asked (default all); every required column must be asked.
        expires: date/time (optional): ISO 8601 with an offset, or naive local time (WIB)
            as the web form sends it; stored in UTC. max_submissions: int (optional).
        login_required: bool (default false).
    """
    tk.check_access("satudata_survey_link_create", context, data_dict)
    user = user_of(context)
    input_pkg = input_of(data_dict)
    period = period_of(input_pkg, data_dict.get("period"))
    structure = Structure.from_dict(input_pkg.structure)
    columns = schema.survey_columns(data_dict.get("columns"),
                                    [c.id for c in structure.columns])
    errors = _asked_columns(structure, columns)
    data, field_errors = schema.validate(data_dict, schema.survey_link_create(), context)
    errors.update(field_errors)
    raise_if(errors)
    title = str(data_dict.get("title") or "").strip() or input_pkg.title
    link = SurveyLink(input_id=input_pkg.id, token=secrets.token_urlsafe(18), title=title,
                      period=period.code(), columns=list(columns), expires=data["expires"],
                      max_submissions=data["max_submissions"],
                      login_required=tk.asbool(data_dict.get("login_required")),
                      created_by=user.id)
    model.Session.add(link)
    model.Session.commit()
    return _link_dict(link)


def satudata_survey_link_revoke(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Revoke a link (link_id): it stops accepting submissions at once."""
    tk.check_access("satudata_survey_link_revoke", context, data_dict)
    access.package_of(data_dict)  # every id of the request belongs together
    link = model.Session.get(SurveyLink, str(data_dict.get("link_id") or ""))
    if link is None:
        raise tk.ObjectNotFound(tk._("Survey link not found"))
    link.revoked = link.revoked or dt.datetime.utcnow()
    model.Session.commit()
    return _link_dict(link)


@tk.side_effect_free
def satudata_survey_link_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The links of an input package (id)."""
    tk.check_access("satudata_survey_link_list", context, data_dict)
    input_pkg = input_of(data_dict)
    links = model.Session.scalars(sa.select(SurveyLink).where(
        SurveyLink.input_id == input_pkg.id).order_by(SurveyLink.created.desc())).all()
    return [_link_dict(link) for link in links]


def _asked(link: SurveyLink, structure: Structure) -> Structure:
    return Structure(columns=tuple(c for c in structure.columns if c.id in link.columns))


@tk.side_effect_free
def satudata_survey_form_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """What the form of a link (token) asks; errors say when the link cannot be used."""
    tk.check_access("satudata_survey_form_show", context, data_dict)
    link = access.usable_link(data_dict.get("token"))
    input_pkg = access.input_package(link.input_id)
    asked = _asked(link, Structure.from_dict(input_pkg.structure))
    return {"title": link.title, "period": link.period,
            "period_label": Period.parse(link.period).label(),
            "columns": asked.to_dict()["columns"], "login_required": link.login_required}


def _rate_limited(link: SurveyLink) -> bool:
    from ckan.lib.redis import connect_to_redis
    from flask import has_request_context, request

    address = request.remote_addr if has_request_context() else "local"
    minute = dt.datetime.utcnow().strftime("%Y%m%d%H%M")
    key = f"satudata:survey:{link.id}:{address}:{minute}"
    redis = connect_to_redis()
    count = redis.incr(key)
    if count == 1:
        redis.expire(key, 120)
    return count > config.survey_submissions_per_minute()


def _submitted_row(link: SurveyLink, asked: Structure, values: dict[str, Any],
                   ) -> dict[str, Any]:
    """The asked columns' values: not too long, none not asked, valid as a row."""
    limit = config.survey_max_value_chars()
    errors: dict[str, list[str]] = {}
    for column in asked.columns:
        value = values.get(column.id)
        if value is not None and len(str(value)) > limit:
            errors[column.id] = [tk._("At most {n} characters").format(n=limit)]
    extra = sorted(set(values) - {c.id for c in asked.columns})
    if extra:
        errors["values"] = [tk._("Not asked by this form: {names}").format(
            names=", ".join(extra))]
    raise_if(errors)
    clean = {c.id: values.get(c.id) for c in asked.columns}
    _, row_errors = validate.validate_row(asked, clean, period=Period.parse(link.period))
    if row_errors:
        raise tk.ValidationError({column_id(asked, e.column) or "values": [e.message]
                                  for e in row_errors})
    return clean


def _claim_submission(link: SurveyLink) -> None:
    """Count the submission, refused once the link has had its maximum.

    Counted and stored in one statement each, so concurrent submissions cannot pass
    the limit."""
    claimed = model.Session.execute(
        sa.update(SurveyLink).where(
            SurveyLink.id == link.id,
            sa.or_(SurveyLink.max_submissions.is_(None),
                   SurveyLink.submissions < SurveyLink.max_submissions))
        .values(submissions=SurveyLink.submissions + 1)
        .execution_options(synchronize_session=False)).rowcount
    if not claimed:
        model.Session.rollback()
        raise tk.ValidationError({"link": [tk._(
            "This form has received its maximum number of submissions")]})


def satudata_survey_submit(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Submit one row through a link (token, values {column: value}) into staging."""
    tk.check_access("satudata_survey_submit", context, data_dict)
    link = access.usable_link(data_dict.get("token"))
    input_pkg = access.input_package(link.input_id)
    if _rate_limited(link):
        raise tk.ValidationError({"link": [tk._(
            "Too many submissions from your address; wait a minute and try again")]})
    data, errors = schema.validate(data_dict, schema.survey_submit(), context)
    raise_if(errors)
    asked = _asked(link, Structure.from_dict(input_pkg.structure))
    clean = _submitted_row(link, asked, data["values"])
    _claim_submission(link)
    user = model.User.get(context.get("user") or "")
    submission = SurveySubmission(link_id=link.id, input_id=input_pkg.id, period=link.period,
                                  values={k: None if v is None else str(v)
                                          for k, v in clean.items()},
                                  submitted_by=user.id if user else None)
    model.Session.add(submission)
    model.Session.commit()
    return {"id": submission.id, "state": submission.state}


@tk.side_effect_free
def satudata_survey_submission_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """Staging of an input package (id), optionally one state (pending/accepted/rejected)."""
    tk.check_access("satudata_survey_submission_list", context, data_dict)
    input_pkg = input_of(data_dict)
    query = sa.select(SurveySubmission).where(SurveySubmission.input_id == input_pkg.id)
    if data_dict.get("state"):
        query = query.where(SurveySubmission.state == data_dict["state"])
    found = model.Session.scalars(query.order_by(SurveySubmission.created)).all()
    return [{"id": s.id, "link_id": s.link_id, "period": s.period, "values": s.values,
             "state": s.state, "created": s.created.isoformat(),
             "reviewed": s.reviewed.isoformat() if s.reviewed else None,
             "review_note": s.review_note} for s in found]


def _accept_rows(input_pkg: InputPackage, found: list[SurveySubmission]) -> None:
    """Add the submissions' rows to their periods in one transaction, all or none."""
    publishing.writable_or_raise(input_pkg.package_id)
    structure = Structure.from_dict(input_pkg.structure)
    with worktable.transaction() as conn:
        for period_code in sorted({s.period for s in found}):
            group = [s for s in found if s.period == period_code]
            period = Period.parse(period_code)
            existing = worktable.keys_of_period(conn, input_pkg.id, structure, period_code)
            checked = check_rows(structure, period, [{"values": s.values} for s in group],
                                 existing, set())
            worktable.insert_rows(conn, input_pkg.id, structure, [r for _, r in checked])


def satudata_survey_submission_review(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Accept or reject submissions waiting in staging.

    Args:
        submission_ids: list of ids (of one input package). decision: accept | reject.
        note: optional reason.
    Accepted rows are validated again and added to their period in one transaction:
    all of them, or none when any fails (e.g. a key already used).
    """
    tk.check_access("satudata_survey_submission_review", context, data_dict)
    access.package_of(data_dict)  # every id of the request belongs together
    user = user_of(context)
    ids = schema.submission_ids(data_dict.get("submission_ids"))
    data, errors = schema.validate(data_dict, schema.submission_review(), context)
    raise_if(errors)
    decision = data["decision"]
    found = model.Session.scalars(sa.select(SurveySubmission).where(
        SurveySubmission.id.in_(ids)).with_for_update()).all()
    if len(found) != len(set(ids)) or len({s.input_id for s in found}) != 1:
        raise tk.ValidationError({"submission_ids": [tk._(
            "Choose submissions of one input package")]})
    if any(s.state != "pending" for s in found):
        raise tk.ValidationError({"submission_ids": [tk._(
            "Some submissions were already reviewed; reload the page")]})
    input_pkg = access.input_package(found[0].input_id)
    if decision == "accept":
        _accept_rows(input_pkg, list(found))
    now = dt.datetime.utcnow()
    for submission in found:
        submission.state = "accepted" if decision == "accept" else "rejected"
        submission.reviewed, submission.reviewed_by = now, user.id
        submission.review_note = (data_dict.get("note") or "").strip() or None
    model.Session.commit()
    published = publishing.after_rows_changed(input_pkg, sorted({s.period for s in found})) \
        if decision == "accept" else False
    return {"reviewed": len(found), "decision": decision, "published": published}
