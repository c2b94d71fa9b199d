"""Periodic reports (/laporan, issue 13): monthly, quarterly and yearly reports of the
monitoring, timeliness, metadata quality and usage figures, as XLSX and PDF."""
