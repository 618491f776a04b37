"""Outputs: the typed summary, tables, map, report and atomic file sets. They draw and
write; they never compute."""
