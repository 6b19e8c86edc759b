"""The schema revisions this tracker knows, without Alembic or SQLAlchemy (the read
path checks a database's revision against ``HEAD`` with one query)."""

HEAD = "0011"
# Every revision of db/migrations (numbered 0001 to HEAD; a test checks it): what marks a
# file as tracker's, found without importing Alembic.
REVISIONS = frozenset(f"{n:04d}" for n in range(1, int(HEAD) + 1))
VERSION_TABLE = "alembic_version"
