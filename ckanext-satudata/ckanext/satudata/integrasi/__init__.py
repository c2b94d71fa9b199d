"""Integrations of OPD systems (issue 15, SOP 002 "Interoperabilitas Data").

An OPD registers one of its systems (`model.Integrasi`); walidata approves it, which
makes a service account (`service.py`) whose API token may only push rows into that
OPD's input packages (`satudata_integration_push`). Input packages may also be pulled
from a URL on a schedule (`jobs.py`, run by the RQ worker). Every push and pull is a
sync run (`model.IntegrasiRun`), shown on /integrasi with alerts after a failed or
missed sync (`alerts.py`).
"""
