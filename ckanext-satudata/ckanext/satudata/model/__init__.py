"""Tables of the satudata plugin (created by its alembic migrations)."""
from __future__ import annotations

from ckanext.satudata.model.input_package import (
    InputImport,
    InputPackage,
    SurveyLink,
    SurveySubmission,
)
from ckanext.satudata.model.wilayah import JENIS, KodeWilayah

__all__ = ["JENIS", "InputImport", "InputPackage", "KodeWilayah", "SurveyLink",
           "SurveySubmission"]
