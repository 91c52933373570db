"""What ``make run`` serves: the embedded default (SQLite, in-process jobs) for people to use.

DEBUG is off, so a wrong URL or a failure shows the site's own error pages, never Django's
debug pages with their URL patterns and tracebacks. Static files are collected into
``staticfiles/`` (``scripts/run.sh`` does it) and served by WhiteNoise under content-hashed,
compressed names. Without ``DJANGO_SECRET_KEY`` the secret is generated once into ``var/``,
so sessions survive restarts and no published default signs them.
"""

import os
import secrets
from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR, VAR_DIR, env

DEBUG = False


def _local_secret_key(path: Path) -> str:
    """The secret in ``path``, written there (readable by its owner only) on first use."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = env("DJANGO_SECRET_KEY", default=None) or _local_secret_key(VAR_DIR / "secret_key")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# Served from STATIC_ROOT only, under the hashed names the manifest lists.
WHITENOISE_USE_FINDERS = False
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "sop_site.storage.CompressedManifestStorage"},
}
