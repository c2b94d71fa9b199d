"""Personal data (PII) detection in tabular data (issue 14, 7.3)."""
