"""The database layer: engines and sessions from a URL or a path (``db.engine``), reads
on the plain DB-API driver (``db.reading``), and migrations. Import the module you use:
this package imports nothing, so that a read does not load SQLAlchemy."""
