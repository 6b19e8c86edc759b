"""Importers: data from elsewhere into the event model (CSV tables; documents live in
``tracker.document``)."""
