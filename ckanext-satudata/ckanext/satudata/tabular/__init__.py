"""Tabular data in and out: structures, safe file reading, Indonesian values, validation, templates, exports."""
