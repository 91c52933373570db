"""A ``DATABASE_URL`` for Django connection settings, to point another process at them.

Worker processes started by the benchmarks and the Celery tests must use the database their
parent uses, which may be a throwaway test database whose name only the connection knows.
"""

from urllib.parse import quote


def database_url(db: dict) -> str:
    """``postgres://user:password@host:port/name`` for a PostgreSQL ``settings_dict``."""
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    host, port = db["HOST"] or "localhost", db["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{quote(db['NAME'], safe='')}"
