# ruff: noqa: E501 - msgids are kept whole, one a line
"""The summaries of our own actions (`satudata_*`, `verifikasi_*`) in the API document
(issue 15), as their docstrings begin: `spec` translates each at run time with
`tk._(summary)`, and this list lets message extraction find them. Nothing reads it
otherwise. `tests/test_openapi.py` fails when an action of ours is added or its
docstring changes and this list is not brought up to date (`spec.our_msgids()` gives
the current list)."""
from __future__ import annotations


def N_(text: str) -> str:  # noqa: N802 - the extraction keyword
    """Mark a msgid for extraction; translated where it is used."""
    return text


MESSAGES = (
    N_("Record that the Forum Satu Data agreed the year's Daftar Data (walidata): from now on every change of that year needs a reason and is logged."),
    N_("Add an entry to a year's Daftar Data (walidata)."),
    N_("Remove an entry (walidata); `reason` required once its year is agreed (logged)."),
    N_("Import a year's Daftar Data from the Forum's spreadsheet (walidata)."),
    N_("Entries of the Daftar Data the caller may read, with their periods and statuses."),
    N_("One entry with its periods (planned, revised, released, status) and change log."),
    N_("Change an entry (walidata): any field of create; periods given are changed ([{period, planned}] or a revision [{period, revised, revised_reason}]), the others kept; an empty package_id unlinks the dataset. Once the year is agreed, `reason` is required and the change is logged (who, when, why, what)."),
    N_("Walidata approves (the date applies, logged) or rejects an OPD's proposal."),
    N_("A revised release date of one period, with its reason."),
    N_("Export a dataset as BPS INDAH v2 records, ready for submission."),
    N_("Apply a checked file: the period's rows are replaced in one transaction."),
    N_("Dry run of a file for one period: every problem found, nothing written to the rows."),
    N_("Create an input package for a dataset."),
    N_("Delete an input package and its pending rows (the published resource stays)."),
    N_("The input packages of a dataset (package_id)."),
    N_("An input package with its columns and the row count of each period."),
    N_("Rename an input package or change its columns (entered rows are kept and converted)."),
    N_("Rows of one period, as text."),
    N_("Add, change and delete rows of one period: all of it, or nothing when any row is wrong."),
    N_("The KPIs of the Satu Data programme for a year (issue 12), with their definitions."),
    N_("Failed logins counted now and the lock of an account."),
    N_("Unlock an account locked by failed logins and forget its failures (audited)."),
    N_("Report every missing or inconsistent mandatory SDI field of a dataset."),
    N_("The monitoring figures."),
    N_("The personal data found in a dataset's DataStore tables and uploaded files."),
    N_("Walidata accepts that a column of a resource holds personal data (audited)."),
    N_("Walidata removes an exception (audited): the column holds the dataset back again."),
    N_("The accepted exceptions of a dataset, oldest first."),
    N_("The metadata quality of one dataset."),
    N_("Walidata closes an open ticket with a reason (an accepted exception, say): the same check of the dataset opens no new ticket until it passes once."),
    N_("Quality tickets the caller may read."),
    N_("Generate (again) the reports of a period: the portal's and every OPD's, or one OPD's."),
    N_("Reports the caller may read: walidata and sysadmins all, an OPD's operators and verifikators their own OPD's."),
    N_("One report."),
    N_("Confirm the e-mail address of an anonymous request (the link in the e-mail): the request is received, its deadline runs and walidata is told."),
    N_("Send a request: missing data (`kind=data`), access to a terbatas dataset (`akses`, logged-in users only: the access is granted to an account), or a complaint about a dataset (`pengaduan`)."),
    N_("Requests the caller may see: walidata every confirmed one, an OPD's operators and verifikators those forwarded to their OPD, everyone else their own."),
    N_("A request with every step (who acted, when, the note) and its deadline."),
    N_("Anonymised figures for the public page: received, answered, answered within the deadline, open and overdue requests (no titles, no requesters)."),
    N_("Move a request on. Steps (`action`):"),
    N_("Figures of the published, non-`rahasia` statistical activities: ``totals`` (datasets, producing OPDs, views, downloads), ``monthly`` (published, views, downloads per month), ``by_category``, ``by_sector``, ``by_opd`` (datasets, views, downloads each), ``most_viewed`` and ``most_downloaded`` (top 10) and ``generated`` (UTC). Kept in Redis, refreshed hourly and on publication."),
    N_("What the form of a link (token) asks; errors say when the link cannot be used."),
    N_("A share link for respondents to submit rows of one period into staging."),
    N_("The links of an input package (id)."),
    N_("Revoke a link (link_id): it stops accepting submissions at once."),
    N_("Staging of an input package (id), optionally one state (pending/accepted/rejected)."),
    N_("Accept or reject submissions waiting in staging."),
    N_("Submit one row through a link (token, values {column: value}) into staging."),
    N_("Put the caller's pending secret in force with a current code from the app."),
    N_("Turn off the caller's own two-factor authentication, proven by a current code; refused for users whose roles require it (audited)."),
    N_("Start (or continue) the caller's enrollment: a secret waiting for a first code."),
    N_("Remove a user's second factor (a lost phone): they enroll again at their next sign-in if their role requires it (audited)."),
    N_("Whether a user's two-factor authentication is in force and required."),
    N_("Walidata: let a user use the data of a terbatas/rahasia dataset until `expires`."),
    N_("Walidata: end a user's access grants to a dataset."),
    N_("Verifikator: submitted -> verified. Walidata: verified -> published."),
    N_("Walidata: audit entries, newest first, with the names of the people, datasets and OPDs they mention (one query per page), the action's label and a one-line summary."),
    N_("Walidata: access grants, newest first, with the names of dataset and people (one query for the page)."),
    N_("Walidata: give an access grant a new expiry date (an expired grant is current again)."),
    N_("The caller's in-app notifications with the unread count."),
    N_("The caller's inbox: datasets waiting for them, returned by them, and overdue ones."),
    N_("Verifikator or walidata: send back to the operator for correction."),
    N_("Walidata: give a user a role (operator/surveyor/verifikator in an OPD, or walidata)."),
    N_("Roles, optionally of one OPD (`organization`) or one user (`user`)."),
    N_("Walidata: take a role away (same arguments as verifikasi_role_assign)."),
    N_("The dataset's workflow state with the full history of transitions and notes."),
    N_("Operator: send a draft or returned dataset to the OPD verifikator."),
    N_("Walidata: take a published dataset down."),
)
