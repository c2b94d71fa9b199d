"""Tables of data input: input packages, their file imports, survey links and survey submissions.

The rows an input package holds live in a working table in the DataStore
database (see inputdata/worktable.py), not here.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped

from ckanext.satudata.model.base import BaseModel

__all__ = ["InputImport", "InputPackage", "SurveyLink", "SurveySubmission"]

IMPORT_STATES = ("checked", "applied", "discarded")
SUBMISSION_STATES = ("pending", "accepted", "rejected")


def _uuid() -> str:
    return str(uuid.uuid4())


def _now() -> dt.datetime:
    return dt.datetime.utcnow()


class InputPackage(BaseModel):
    """A dataset's data-entry unit: a variable structure filled period by period."""

    __tablename__ = "satudata_input_package"
    __table_args__ = (sa.Index("satudata_input_package_package_idx", "package_id"),)

    id: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True, default=_uuid)
    package_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    #: The DataStore resource the published rows go to.
    resource_id: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    title: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    frequency: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    structure: Mapped[dict[str, Any]] = sa.Column(JSONB, nullable=False)
    created_by: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    created: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)
    modified: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)
    #: Rows changed since they were last copied to the DataStore resource.
    pending: Mapped[bool] = sa.Column(sa.Boolean, nullable=False, default=False)
    state: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False, default="active")


class InputImport(BaseModel):
    """One uploaded file: its dry-run summary, then applied or discarded."""

    __tablename__ = "satudata_input_import"
    __table_args__ = (sa.Index("satudata_input_import_input_idx", "input_id"),)

    id: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True, default=_uuid)
    input_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    period: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    filename: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    sheet: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    sheet_names: Mapped[list[str]] = sa.Column(JSONB, nullable=False, default=list)
    summary: Mapped[dict[str, Any]] = sa.Column(JSONB, nullable=False, default=dict)
    state: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False, default="checked")
    mode: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    rows_applied: Mapped[int | None] = sa.Column(sa.Integer, nullable=True)
    created_by: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    created: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)
    applied: Mapped[dt.datetime | None] = sa.Column(sa.DateTime, nullable=True)


class SurveyLink(BaseModel):
    """A share link through which respondents submit rows for one period."""

    __tablename__ = "satudata_survey_link"
    __table_args__ = (sa.Index("satudata_survey_link_input_idx", "input_id"),
                      sa.UniqueConstraint("token", name="satudata_survey_link_token_key"))

    id: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True, default=_uuid)
    input_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    token: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    title: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    period: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    columns: Mapped[list[str]] = sa.Column(JSONB, nullable=False)
    expires: Mapped[dt.datetime | None] = sa.Column(sa.DateTime, nullable=True)
    max_submissions: Mapped[int | None] = sa.Column(sa.Integer, nullable=True)
    login_required: Mapped[bool] = sa.Column(sa.Boolean, nullable=False, default=False)
    submissions: Mapped[int] = sa.Column(sa.Integer, nullable=False, default=0)
    revoked: Mapped[dt.datetime | None] = sa.Column(sa.DateTime, nullable=True)
    created_by: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    created: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)


class SurveySubmission(BaseModel):
    """One respondent's row, waiting in staging until the operator accepts or rejects it."""

    __tablename__ = "satudata_survey_submission"
    __table_args__ = (sa.Index("satudata_survey_submission_input_idx", "input_id", "state"),)

    id: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True, default=_uuid)
    link_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    input_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    period: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    #: {column id: value as submitted}; validated again when accepted.
    values: Mapped[dict[str, Any]] = sa.Column(JSONB, nullable=False)
    state: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False, default="pending")
    submitted_by: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    created: Mapped[dt.datetime] = sa.Column(sa.DateTime, nullable=False, default=_now)
    reviewed_by: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
    reviewed: Mapped[dt.datetime | None] = sa.Column(sa.DateTime, nullable=True)
    review_note: Mapped[str | None] = sa.Column(sa.UnicodeText, nullable=True)
