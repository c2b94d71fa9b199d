"""The signals of verifikasi, each created once here and used through these objects.

`ckanext.verifikasi.shared` re-exports those other packages may use.
"""
from __future__ import annotations

import ckan.plugins.toolkit as tk

#: Sent before a workflow step is taken: after the role, state and metadata checks, before
#: the compare-and-set writes anything; sender: dataset id, keyword arguments `package`
#: (model.Package), `action` (submit/approve/return/withdraw), `to_state` and `user`
#: (model.User). A receiver refuses the step by raising tk.ValidationError (the pages show
#: its messages, the API answers 409); nothing of the step is written then.
#: Also sent before a direct publication outside the workflow (gate.py: a sysadmin's
#: create/update/patch, bulk_update_public, a harvester's edit), with action `publish` and
#: to_state `published`, after the change is flushed: the same receivers decide.
before_transition = tk.signals.ckanext.signal("verifikasi_before_transition")

#: Sent inside a workflow transition's transaction, after the step (state, history
#: entry, publication change) is flushed and before the commit; sender: dataset id,
#: keyword arguments `package` (model.Package) and `event` (WorkflowEvent, with its id).
#: Receivers add their rows to the same transaction (audit entry, in-app notifications);
#: one that raises fails the transition, which then leaves nothing written.
transition = tk.signals.ckanext.signal("verifikasi_transition")

#: Sent after that transaction is committed (and the dataset indexed again), with the
#: same arguments: work that must see the committed step (e-mails by the worker).
transition_committed = tk.signals.ckanext.signal("verifikasi_transition_committed")

#: Sent after a dataset (or an update of it) is published and committed; sender: dataset id.
published = tk.signals.ckanext.signal("verifikasi_published")

#: Sent by a data exporter (satudata's DataStore dumps) after a download of a resource's
#: rows started; sender: resource id, keyword arguments `user` (name) and `format`.
datastore_dump = tk.signals.ckanext.signal("verifikasi_datastore_dump")
