"""The parameters of an inventory plan job, typed and validated, as stored on its job row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from accounts.scoping import Scope
from jobs.registry import JobParams

MAX_HORIZON_DAYS = 182
# Series per chunk of a policies-only run: a few seconds of work each, so workers share a
# large company evenly and a chunk's inputs stay a small part of a worker's memory.
CHUNK_SERIES = 3000


def _ids(name: str, values) -> tuple[int, ...]:
    try:
        return tuple(sorted({int(v) for v in values or ()}))
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a list of ids") from None


@dataclass(frozen=True)
class InventoryPlanParams(JobParams):
    """What to plan.

    The scope is explicit: the whole company (``company_wide``: admins, unscoped planners,
    the command line) or the regions and categories of a scoped planner, so a run never
    replaces another region's policies or recommendations. ``as_of`` (YYYY-MM-DD) plans from
    the stock of that day (by default the last stock snapshot); ``horizon_days`` defaults to
    the inventory settings' horizon and applies to a policies-only run (``solve_plan=False``):
    the order plan's horizon is the settings' (in whole weeks), so asking for another one
    with a plan is refused rather than ignored. A policies-only run is split into chunks of
    whole SKUs of about ``chunk_series`` series, shared by every free worker; the order plan
    is one problem, solved by the job's own worker.
    """

    company_wide: bool = False
    region_ids: tuple[int, ...] = ()
    category_ids: tuple[int, ...] = ()
    as_of: str | None = None
    horizon_days: int | None = None
    solve_plan: bool = True
    time_limit_s: int = 60
    chunk_series: int = CHUNK_SERIES

    def __post_init__(self) -> None:
        self._normalise("region_ids", _ids("region_ids", self.region_ids))
        self._normalise("category_ids", _ids("category_ids", self.category_ids))
        if self.company_wide and (self.region_ids or self.category_ids):
            raise ValueError("a company-wide plan lists no regions or categories")
        if not self.company_wide and not (self.region_ids or self.category_ids):
            raise ValueError(
                "a plan covers the whole company (company_wide) or lists the regions or "
                "categories of its scope"
            )
        if self.as_of is not None:
            try:
                self._normalise("as_of", date.fromisoformat(str(self.as_of)).isoformat())
            except ValueError:
                raise ValueError(
                    f"as_of must be a date as YYYY-MM-DD, not {self.as_of!r}"
                ) from None
        if self.horizon_days is not None and not 1 <= int(self.horizon_days) <= MAX_HORIZON_DAYS:
            raise ValueError(f"horizon_days must be between 1 and {MAX_HORIZON_DAYS}")
        if self.horizon_days is not None and self.solve_plan:
            raise ValueError(
                "horizon_days applies to a policies-only run; the order plan's horizon is the "
                "inventory settings' (Django admin)"
            )
        if int(self.chunk_series) < 1:
            raise ValueError("chunk_series must be at least 1")
        if not 1 <= int(self.time_limit_s) <= 3600:
            raise ValueError("time_limit_s must be between 1 and 3600 seconds")

    def scope(self) -> Scope:
        """The scope the run plans for (the category ids are expanded to their subtrees)."""
        if self.company_wide:
            return Scope.system()
        return Scope.of(
            region_ids=set(self.region_ids) or None, category_ids=set(self.category_ids) or None
        )

    @classmethod
    def for_scope(cls, scope: Scope, **fields) -> InventoryPlanParams:
        """Params covering ``scope`` (an actor's): company-wide unless it is narrowed."""
        if scope.is_nothing:
            raise ValueError("a plan needs a role that may plan")
        if scope.is_company_wide:
            return cls(company_wide=True, **fields)
        return cls(
            region_ids=tuple(scope.region_ids or ()),
            category_ids=tuple(scope.category_ids or ()),
            **fields,
        )
