"""The pilots' job kind: the daily KPI computation of every running pilot.

Both groups' KPIs are computed from the same data by the same code each day (beat starts
it at 05:30, after the forecast refresh and the anomaly scan it reads; see migration 0003),
so the scorecard an executive opens is at most a day old. A running pilot whose period is
over gets its last days computed and is then marked finished: its figures are final.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from jobs.models import JobRun
from jobs.registry import JobParams, job_kind_register
from jobs.services import Progress
from pilots.models import Pilot, PilotStatus
from pilots.services import pilot_finish, pilot_kpis_compute

PILOT_KPIS_KIND = "pilot_kpis"


@dataclass(frozen=True)
class PilotKpisParams(JobParams):
    """``pilot_id``: one running pilot; none (the schedule): every running pilot."""

    pilot_id: int | None = None

    def __post_init__(self) -> None:
        if self.pilot_id is not None and (
            isinstance(self.pilot_id, bool) or not isinstance(self.pilot_id, int)
        ):
            raise ValueError("pilot_id must be a pilot's number")


def pilot_kpis_work(job: JobRun, params: PilotKpisParams, progress: Progress) -> dict:
    running = Pilot.objects.filter(status=PilotStatus.RUNNING).order_by("start_date", "pk")
    if params.pilot_id is not None:
        running = running.filter(pk=params.pilot_id)
        if not running.exists():
            raise ValueError(f"Pilot {params.pilot_id} is not running.")
    pilots = list(running)
    today = timezone.localdate()
    done = []
    for number, pilot in enumerate(pilots):
        progress(100 * number / len(pilots), f"KPIs of {pilot.name}")
        rows = pilot_kpis_compute(pilot=pilot)
        finished = pilot.end_date < today
        if finished:
            pilot_finish(pilot=pilot)
        done.append({"pilot": pilot.name, "rows": rows, "finished": finished})
    progress(100, f"KPIs of {len(done)} running pilot{'s' if len(done) != 1 else ''}")
    return {"pilots": done}


job_kind_register(name=PILOT_KPIS_KIND, params=PilotKpisParams, work=pilot_kpis_work)
