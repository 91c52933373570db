"""Heartbeats: proof that the process holding a job or a chunk of work is still alive.

A worker killed with SIGKILL (out of memory, a lost machine) runs no code on its way out, so
its claims can only be recognised as abandoned by their silence. While a job runs on a Celery
worker, a background thread refreshes a timestamp every ``HEARTBEAT_INTERVAL_S``; a claim
whose timestamp is older than ``STALE_AFTER_S`` is taken over by another worker (a forecast
chunk) or requeued by the reaper on beat (a whole job).

Heartbeats run only on Celery workers (``beating()``): jobs in the web process's threads or on
the command line die with their process, which nobody else would take over.
"""

from __future__ import annotations

import contextvars
import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import connections, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

HEARTBEAT_INTERVAL_S = 15.0
STALE_AFTER_S = 60.0
STALE_AFTER = timedelta(seconds=STALE_AFTER_S)

logger = logging.getLogger(__name__)

_beating: contextvars.ContextVar[bool] = contextvars.ContextVar("job_heartbeats", default=False)


def worker_identity() -> str:
    """``host:pid`` of this process, stored with a claim so a takeover can say whose it was."""
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def holder_is_dead_here(identity: str) -> bool:
    """True when ``identity`` names a process of this machine that no longer exists.

    A pool process killed mid-job has its task redelivered to a sibling at once; the sibling
    need not wait for the heartbeat to go stale to know the holder is gone.
    """
    host, _, pid = identity.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def claim_chunk(chunks: QuerySet, *, pending: str, running: str):
    """Take the next pending chunk of ``chunks`` for this worker, or an abandoned one.

    One mechanism for every app that splits a job into chunks (forecast series, inventory
    SKUs). A chunk is abandoned when its holder stopped heartbeating (``STALE_AFTER``), or
    at once when the holder was a process of this machine that has died (a killed pool
    process whose job was redelivered to a sibling). Returns None when nothing is left.
    """
    stale = timezone.now() - STALE_AFTER
    with transaction.atomic():
        if transaction.get_connection().features.has_select_for_update_skip_locked:
            chunks = chunks.select_for_update(skip_locked=True)
        is_running = Q(status=running)
        chunk = (
            chunks.filter(
                Q(status=pending)
                | (is_running & Q(heartbeat_at__lt=stale))
                | (is_running & Q(heartbeat_at__isnull=True, claimed_at__lt=stale))
            )
            .order_by("index")
            .first()
        )
        if chunk is None:
            chunk = next(
                (
                    c
                    for c in chunks.filter(is_running).order_by("index")
                    if holder_is_dead_here(c.worker)
                ),
                None,
            )
        if chunk is None:
            return None
        chunk.status = running
        chunk.claimed_at = chunk.heartbeat_at = timezone.now()
        chunk.worker = worker_identity()
        chunk.save(update_fields=["status", "claimed_at", "heartbeat_at", "worker"])
    return chunk


@contextmanager
def heartbeats_on() -> Iterator[None]:
    """Mark the work run inside as running on a Celery worker, so it keeps heartbeats."""
    token = _beating.set(True)
    try:
        yield
    finally:
        _beating.reset(token)


def beating() -> bool:
    return _beating.get()


@contextmanager
def heartbeat(beat: Callable[[], object], interval_s: float = HEARTBEAT_INTERVAL_S):
    """Call ``beat()`` every ``interval_s`` in a background thread while the block runs.

    ``beat`` writes a timestamp with its own database connection (the thread's), closed when
    the block ends. Does nothing unless ``beating()``.
    """
    if not beating():
        yield
        return
    stop = threading.Event()

    def run() -> None:
        try:
            while not stop.wait(interval_s):
                try:
                    beat()
                except Exception:  # a missed beat is retried; the work must go on
                    logger.warning("heartbeat failed", exc_info=True)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name="job-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
