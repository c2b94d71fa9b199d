"""Permohonan Data (issue 14): requests for missing data, for access to a `terbatas`
dataset, and complaints (pengaduan) about a dataset, with their tracking numbers,
steps, deadlines and the access grants they lead to."""
