"""Tables of ckanext-verifikasi (created by the `verifikasi` alembic migrations)."""
from ckanext.verifikasi.model.audit import AuditEntry
from ckanext.verifikasi.model.grant import AccessGrant
from ckanext.verifikasi.model.notification import Notification
from ckanext.verifikasi.model.role import Role
from ckanext.verifikasi.model.workflow import PublishedSnapshot, WorkflowEvent, WorkflowState

__all__ = ["AccessGrant", "AuditEntry", "Notification", "PublishedSnapshot", "Role",
           "WorkflowEvent", "WorkflowState"]
