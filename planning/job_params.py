"""The parameters of the planning app's jobs, typed and validated."""

from __future__ import annotations

from dataclasses import dataclass

from jobs.registry import JobParams


@dataclass(frozen=True)
class ScenarioParams(JobParams):
    """Which scenario to compute."""

    scenario_id: int

    def __post_init__(self) -> None:
        if not isinstance(self.scenario_id, int) or self.scenario_id < 1:
            raise ValueError("scenario_id must be a positive id")
