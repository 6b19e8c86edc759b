"""Curated seed data in the tracker/1 document format (package data only)."""
