"""Actions of ckanext-satudata (registered by blanket)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.satudata import metadata

__all__ = ["satudata_metadata_check"]


@tk.side_effect_free
def satudata_metadata_check(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Report every missing or inconsistent mandatory SDI field of a dataset.

    Args:
        id: id or name of the dataset.

    Returns:
        {"complete": bool, "problems": [{field, label, kind, message}, ...]}
        with labels and messages in the request's language.
    """
    tk.check_access("satudata_metadata_check", context, data_dict)
    dataset = tk.get_action("package_show")(
        dict(context), {"id": tk.get_or_bust(data_dict, "id")})
    problems = metadata.check(dataset, dataset.get("type", metadata.DATASET_TYPE))
    return {"complete": not problems, "problems": problems}
