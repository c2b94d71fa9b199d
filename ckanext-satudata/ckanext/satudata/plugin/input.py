"""The `satudata_input` plugin: input packages, entry form, file imports and survey links."""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.satudata import request_args, verification
from ckanext.satudata.inputdata import helpers, publishing
from ckanext.satudata.inputdata.views import satudata_input
from ckanext.satudata.logic import input_action, input_auth


@tk.blanket.actions(input_action)
@tk.blanket.auth_functions(input_auth)
# nul_guard: a NUL byte anywhere in a request is a 4xx, not a 500 (see request_args).
@tk.blanket.blueprints([satudata_input, request_args.nul_guard])
@tk.blanket.helpers(helpers)
class SatudataInputPlugin(p.SingletonPlugin):
    p.implements(p.ISignal)

    # ISignal

    def get_signal_subscriptions(self) -> dict[Any, list[Any]]:
        published = verification.published_signal()
        return {published: [publishing.on_published]} if published is not None else {}
