"""Log filters: a refused request is one line, a failure keeps its traceback.

Django logs a 403 (``PermissionDenied``) or a 400 with the exception's traceback attached.
Refusing a request is the site working as meant, not a fault to debug: the line saying
which path answered which status is enough, and a traceback per refusal buries the real
errors. 5xx records keep theirs.
"""

from __future__ import annotations

import logging


class ClientErrorWithoutTraceback(logging.Filter):
    """Drops the traceback of records about 4xx responses; lets every record through."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
