"""The job kinds every app registers: a name, a typed params class and the work to do.

An app declares its kinds in its own ``jobs.py`` (loaded from its ``AppConfig.ready``)::

    job_kind_register(name="forecast", params=ForecastParams, work=forecast_job_work)

``jobs.services.job_start`` is then the one way to start any of them, and the one generic
Celery task runs any of them: the kind's params are read back from the job row, so workers,
beat and the command line all run exactly the same code for a kind.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from django.core.serializers.json import DjangoJSONEncoder

if TYPE_CHECKING:
    from jobs.models import JobRun
    from jobs.services import Progress


class JobParams:
    """Base of every kind's parameters: subclasses are frozen dataclasses.

    A subclass validates itself in ``__post_init__`` (raising ``ValueError`` with a message
    a user can act on), so an invalid job is refused before it is recorded, and a job row's
    params are valid by construction when a worker reads them back.
    """

    def to_json(self) -> dict[str, Any]:
        """The params as stored in ``JobRun.params`` (plain JSON: tuples become lists)."""
        return json.loads(json.dumps(dataclasses.asdict(self), cls=DjangoJSONEncoder))

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Self:
        """Read params back from a job row; unknown keys are refused, not ignored."""
        data = dict(data or {})
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"unknown parameters for {cls.__name__}: {', '.join(unknown)}")
        return cls(**data)

    def _normalise(self, name: str, value: Any) -> None:
        """Set a field of the frozen instance in ``__post_init__`` (e.g. a list as a tuple)."""
        object.__setattr__(self, name, value)


Work = Callable[["JobRun", Any, "Progress"], dict | None]
Helper = Callable[["JobRun", Any], Any]


@dataclass(frozen=True)
class JobKind:
    """One registered kind. ``helper``, if any, is work other workers can do alongside the
    job's own task (a forecast's chunks), started by ``jobs.services.job_helpers_start``."""

    name: str
    params: type[JobParams]
    work: Work
    helper: Helper | None = None


_KINDS: dict[str, JobKind] = {}


def job_kind_register(
    *, name: str, params: type[JobParams], work: Work, helper: Helper | None = None
) -> JobKind:
    """Register a kind of job; registering the same name twice with other work is an error."""
    if not (dataclasses.is_dataclass(params) and issubclass(params, JobParams)):
        raise TypeError(f"the params of job kind {name!r} must be a JobParams dataclass")
    kind = JobKind(name=name, params=params, work=work, helper=helper)
    existing = _KINDS.get(name)
    if existing is not None and existing != kind:
        raise ValueError(f"job kind {name!r} is registered already")
    _KINDS[name] = kind
    return kind


def job_kind_unregister(name: str) -> None:
    """Forget a kind (tests register kinds of their own and remove them afterwards)."""
    _KINDS.pop(name, None)


def job_kind_get(name: str) -> JobKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"no job kind {name!r} is registered") from None


def job_kinds_registered() -> list[str]:
    return sorted(_KINDS)
