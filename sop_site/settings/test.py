"""Test settings: the real PostgreSQL and Redis when DATABASE_URL/REDIS_URL are set (as in CI).

Jobs run synchronously so a test sees their result; the Celery worker test switches to the
real broker itself.
"""

from .base import *  # noqa: F403

SOP_JOBS_MODE = "eager"
# Hashing cost is not what these tests measure; Argon2 stays first in base and production.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_ENABLED = True
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
