"""Actions of data input: input packages, their rows, file imports and survey links.

Rows are validated by `tabular.validate` and written to the package's working
table (`inputdata.worktable`); `inputdata.publishing` decides when they reach
the DataStore resource. The input of each action is checked by `schema`.

Modules: `packages` (input packages), `rows` (rows of a period), `imports` (file
imports), `survey` (survey links and their staging), `common` (what they share).
The plugin registers the actions listed in `__all__` (`tk.blanket.actions`).
"""
from __future__ import annotations

from ckanext.satudata.logic.input_action.imports import (
    satudata_input_import_apply,
    satudata_input_import_check,
    satudata_input_import_show,
)
from ckanext.satudata.logic.input_action.packages import (
    satudata_input_package_create,
    satudata_input_package_delete,
    satudata_input_package_list,
    satudata_input_package_show,
    satudata_input_package_update,
)
from ckanext.satudata.logic.input_action.rows import (
    satudata_input_rows_list,
    satudata_input_rows_save,
)
from ckanext.satudata.logic.input_action.survey import (
    satudata_survey_form_show,
    satudata_survey_link_create,
    satudata_survey_link_list,
    satudata_survey_link_revoke,
    satudata_survey_submission_list,
    satudata_survey_submission_review,
    satudata_survey_submit,
)

__all__ = [
    "satudata_input_import_apply",
    "satudata_input_import_check",
    "satudata_input_import_show",
    "satudata_input_package_create",
    "satudata_input_package_delete",
    "satudata_input_package_list",
    "satudata_input_package_show",
    "satudata_input_package_update",
    "satudata_input_rows_list",
    "satudata_input_rows_save",
    "satudata_survey_form_show",
    "satudata_survey_link_create",
    "satudata_survey_link_list",
    "satudata_survey_link_revoke",
    "satudata_survey_submission_list",
    "satudata_survey_submission_review",
    "satudata_survey_submit",
]
