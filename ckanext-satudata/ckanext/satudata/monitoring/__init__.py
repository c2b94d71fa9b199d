"""Monitoring dashboard (issue 13): the walidata's figures of every OPD at `/monitoring`."""
