"""A real Celery worker for benchmarks: started on a queue of its own, measured from outside.

The product scales by adding worker processes, so a throughput figure "on N cores" means a
worker with N processes. This module starts one (prefork, ``concurrency`` processes) against
the benchmark's database and a private queue on the configured Redis, and samples the whole
process tree: peak resident memory summed over the worker and its children, and their CPU
time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from sop_site.database_url import database_url

READY_TIMEOUT_S = 120


@dataclass
class TreeSample:
    """Peak summed RSS and CPU seconds of a process tree, sampled every ``interval_s``."""

    root: psutil.Process
    interval_s: float = 0.5
    peak_rss_mb: float = 0.0
    idle_rss_mb: float = 0.0
    _cpu: dict[int, float] = field(default_factory=dict)
    _base_cpu: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)

    def processes(self) -> list[psutil.Process]:
        try:
            return [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return []

    def _measure(self) -> float:
        """Summed RSS of the tree in MB; records each process's CPU time on the way."""
        total = 0
        for process in self.processes():
            try:
                total += process.memory_info().rss
                times = process.cpu_times()
                self._cpu[process.pid] = times.user + times.system
            except psutil.Error:
                continue
        return total / 2**20

    @property
    def cpu_seconds(self) -> float:
        return sum(self._cpu.values())

    def start(self) -> None:
        self.idle_rss_mb = self._measure()
        self._base_cpu = self.cpu_seconds
        threading.Thread(target=self._run, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        self.peak_rss_mb = max(self.peak_rss_mb, self._measure())

    @property
    def busy_cpu_seconds(self) -> float:
        return self.cpu_seconds - self._base_cpu

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.peak_rss_mb = max(self.peak_rss_mb, self._measure())


class WorkerPool:
    """``with WorkerPool(db, concurrency=2) as pool:`` tasks sent meanwhile run on it."""

    def __init__(self, db: dict, concurrency: int, log_path: Path) -> None:
        self.db = db
        self.concurrency = concurrency
        self.log_path = log_path
        self.queue = f"benchmark-{uuid.uuid4().hex[:12]}"

    def __enter__(self) -> WorkerPool:
        from django.conf import settings

        from sop_site.celery import app

        self._previous = (app.conf.task_default_queue, settings.SOP_JOBS_MODE)
        app.conf.task_default_queue = self.queue
        settings.SOP_JOBS_MODE = "celery"
        env = {
            **os.environ,
            "DATABASE_URL": database_url(self.db),
            "SOP_JOBS_MODE": "celery",
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
        }
        command = [
            str(Path(sys.executable).with_name("celery")),
            "-A", "sop_site", "worker",
            "--pool", "prefork", "--concurrency", str(self.concurrency),
            "-Q", self.queue, "-n", f"{self.queue}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
            "--loglevel", "INFO",
        ]  # fmt: skip
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + READY_TIMEOUT_S
        while b" ready." not in self.log_path.read_bytes():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                tail = self.log_path.read_text(errors="replace")[-3000:]
                raise SystemExit(f"the Celery worker did not start:\n{tail}")
            time.sleep(0.2)
        self.sample = TreeSample(psutil.Process(self.process.pid))
        self.sample.start()
        return self

    def __exit__(self, *exc: object) -> None:
        from django.conf import settings

        from sop_site.celery import app

        if hasattr(self, "sample"):
            self.sample.stop()
        app.conf.task_default_queue, settings.SOP_JOBS_MODE = self._previous
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self._log.close()
