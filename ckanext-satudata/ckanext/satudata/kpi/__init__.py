"""KPIs of the Satu Data programme (issue 12, "KPIs the portal computes"):
`satudata_kpi_show` and the public page /kinerja-sdi."""
