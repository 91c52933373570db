"""A watchdog that measures a running job and stops it when it passes its limits.

It samples the process's CPU time and resident memory a few times a second, keeps the peak,
and, when the job runs past its wall-time or memory limit, raises ``JobLimitExceeded`` in
the job's thread (between two Python bytecodes, so long C calls finish first). This works
the same in a Celery worker and in the in-process thread of the embedded default.

Memory is what the job added to its process: resident memory (with child processes, looked
for every ``children_every`` samples) above what the process held when the job started. A
job in a thread of the web server is then held to the same limit as one alone in a worker
process.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import threading
import time
from dataclasses import dataclass, field

import psutil


class JobLimitExceeded(BaseException):
    """A job ran past its time or memory limit and was stopped.

    A ``BaseException``, like ``KeyboardInterrupt``: a work function's ``except Exception``
    must not swallow the stop.
    """


@dataclass
class ResourceWatch:
    time_limit_s: float | None
    memory_limit_mb: float | None
    interval_s: float = 0.25
    # Samples between two looks for child processes: psutil finds children by reading every
    # process of the machine under /proc, which cost a job as much CPU as its own work on a
    # busy host; in between, the children already found are measured.
    children_every: int = 8
    wall_seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_memory_mb: float = 0.0
    breach: str = ""
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _children: list[psutil.Process] = field(default_factory=list)
    _samples: int = 0

    def __enter__(self) -> ResourceWatch:
        self._process = psutil.Process()
        self._target = threading.get_ident()
        self._start_wall = time.perf_counter()
        self._start_cpu = self._process_cpu()
        self._baseline_mb = self._resident_mb()
        self._sample()
        self._thread = threading.Thread(target=self._run, name="job-watchdog", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._sample()

    def _process_cpu(self) -> float:
        times = self._process.cpu_times()
        return times.user + times.system

    def _resident_mb(self) -> float:
        rss = self._process.memory_info().rss
        if self._samples % self.children_every == 0:
            self._children = self._process.children(recursive=True)
        self._samples += 1
        for child in self._children:
            try:
                rss += child.memory_info().rss
            except psutil.Error:
                continue
        return rss / 2**20

    def _sample(self) -> None:
        self.wall_seconds = time.perf_counter() - self._start_wall
        self.cpu_seconds = self._process_cpu() - self._start_cpu
        added_mb = max(0.0, self._resident_mb() - self._baseline_mb)
        self.peak_memory_mb = max(self.peak_memory_mb, added_mb)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._sample()
            if self.breach:
                continue
            if self.time_limit_s and self.wall_seconds > self.time_limit_s:
                self.breach = f"time limit of {self.time_limit_s:.0f} s reached"
            elif self.memory_limit_mb and self.peak_memory_mb > self.memory_limit_mb:
                self.breach = (
                    f"memory limit of {self.memory_limit_mb:.0f} MB reached "
                    f"({self.peak_memory_mb:.0f} MB in use)"
                )
            if self.breach:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(self._target), ctypes.py_object(JobLimitExceeded)
                )


def return_freed_memory() -> None:
    """Give memory that Python and pandas have freed back to the operating system.

    glibc keeps freed heap pages for reuse, so a worker that has read millions of rows keeps
    that much resident for the rest of its life, and its next peak stacks on top. Long jobs
    call this between stages; elsewhere than glibc it does nothing.
    """
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


@functools.cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    return ctypes.CDLL(name) if name else None
