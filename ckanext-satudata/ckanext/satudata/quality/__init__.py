"""Metadata quality (issue 13): a score per dataset and OPD, and correction tickets.

checks.py scores datasets in batches; tickets.py opens and closes tickets from a
score; jobs.py runs both in the background (on every dataset change and nightly);
action.py/auth.py/pages.py serve them to walidata and the owning OPD.
"""
