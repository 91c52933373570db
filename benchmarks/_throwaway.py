"""What every benchmark needs first: Django set up, and a database of its own to drop after.

A benchmark never touches real data: it runs in a throwaway database on the server of
``DATABASE_URL`` (a file in ``/tmp`` on SQLite), created before and dropped after it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager


def django_setup(*, jobs_mode: str = "eager") -> None:
    """Set Django up with jobs run ``jobs_mode`` (in-process unless a benchmark measures
    workers)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sop_site.settings.base")
    os.environ["SOP_JOBS_MODE"] = jobs_mode
    import django

    django.setup()


@contextmanager
def throwaway_database(name: str, *, keep: bool = False) -> Iterator[None]:
    """Run the block in database ``<DATABASE_URL's name>_benchmark_<name>``, created for it
    and dropped after it (``keep``: reused if it exists, and kept)."""
    from django.conf import settings
    from django.db import connection

    database = settings.DATABASES["default"]
    test_name = f"{database['NAME']}_benchmark_{name}"
    if connection.vendor == "sqlite":
        test_name = f"/tmp/benchmark_{name}.sqlite3"  # noqa: S108
    database.setdefault("TEST", {})["NAME"] = test_name
    original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=keep)
    try:
        yield
    finally:
        connection.close()
        connection.creation.destroy_test_db(original, verbosity=0, keepdb=keep)
