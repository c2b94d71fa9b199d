"""Tabular data in and out: structures, safe reading, Indonesian values, validation, templates."""
