"""DataStore loading that never loses or mangles data (plugin `satudata_loader`).

A documented replacement of ckanext-xloader's loading that keeps xloader's API:
`xloader_submit` and `xloader_status` are chained so CSV/TSV/XLSX/XLS/ODS
resources are read with ckanext.satudata.tabular, converted with its Indonesian
value rules, COPYed into a shadow table and swapped in atomically
(loader.shadow); progress, heartbeats and dead-job handling live in CKAN's
task_status record that xloader_status reads (loader.status).
"""
