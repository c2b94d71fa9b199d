"""Data input: input packages filled by form, file or survey link; how rows reach the DataStore."""
