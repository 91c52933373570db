"""The planning app's job kinds, registered when the app is ready."""

from jobs.registry import job_kind_register
from planning.job_params import ScenarioParams
from planning.scenarios import SCENARIO_KIND, scenario_job_work

job_kind_register(name=SCENARIO_KIND, params=ScenarioParams, work=scenario_job_work)
