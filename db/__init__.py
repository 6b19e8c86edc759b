"""The database layer: engines and sessions from a URL or a path, and migrations."""

from db.engine import Database, default_path, open_database, resolve_url

__all__ = ["Database", "default_path", "open_database", "resolve_url"]
