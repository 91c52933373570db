"""The parameters of a forecast job, typed and validated, as stored on its job row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from forecasting.engine.granularity import granularity_of
from forecasting.models import Granularity
from jobs.registry import JobParams

MAX_WINDOWS = 8
CHUNK_SERIES = 4000


def _ids(name: str, values) -> tuple[int, ...]:
    try:
        ids = tuple(sorted({int(v) for v in values or ()}))
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a list of ids") from None
    return ids


@dataclass(frozen=True)
class ForecastParams(JobParams):
    """What to forecast and how.

    The scope of the run is explicit: the whole company (``company_wide``, for admins,
    unscoped planners and the schedule), or the series of the listed stores and/or SKUs
    (a list left empty does not narrow). A run never touches a series outside its scope.
    ``horizon`` and ``windows`` default to the granularity's defaults; ``reselect=False``
    refits each series' selected model instead of backtesting every candidate again;
    ``score_live_accuracy`` first scores earlier forecasts against new actuals (the
    scheduled refresh). ``origin`` (YYYY-MM-DD) forecasts as if the last actual were that
    date (history after it ignored); by default the last actual period.
    """

    granularity: str
    horizon: int | None = None
    windows: int | None = None
    reselect: bool = True
    company_wide: bool = False
    store_ids: tuple[int, ...] = ()
    sku_ids: tuple[int, ...] = ()
    chunk_series: int = CHUNK_SERIES
    score_live_accuracy: bool = False
    origin: str | None = None

    def __post_init__(self) -> None:
        granularity = self.granularity
        if granularity not in Granularity.values:
            raise ValueError(f"granularity must be D (daily) or W (weekly), not {granularity!r}")
        grain = granularity_of(granularity)
        horizon = self.horizon or grain.default_horizon
        windows = self.windows or grain.default_windows
        if not 1 <= horizon <= grain.max_horizon:
            raise ValueError(f"horizon must be between 1 and {grain.max_horizon} periods")
        if not 1 <= windows <= MAX_WINDOWS:
            raise ValueError(f"windows must be between 1 and {MAX_WINDOWS}")
        if self.chunk_series < 1:
            raise ValueError("chunk_series must be at least 1")
        if self.origin is not None:
            try:
                self._normalise("origin", date.fromisoformat(str(self.origin)).isoformat())
            except ValueError:
                raise ValueError(
                    f"origin must be a date as YYYY-MM-DD, not {self.origin!r}"
                ) from None
        self._normalise("horizon", int(horizon))
        self._normalise("windows", int(windows))
        self._normalise("store_ids", _ids("store_ids", self.store_ids))
        self._normalise("sku_ids", _ids("sku_ids", self.sku_ids))
        if self.company_wide and (self.store_ids or self.sku_ids):
            raise ValueError("a company-wide run lists no stores or SKUs")
        if not self.company_wide and not (self.store_ids or self.sku_ids):
            raise ValueError(
                "a forecast run covers the whole company (company_wide) or lists the stores "
                "or SKUs of its scope"
            )
