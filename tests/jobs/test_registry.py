"""The job registry: typed params, one way to start any kind, and beat's entry point."""

from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.management import call_command

from demo.jobs import DemoLoadParams
from imports.job_params import ImportParams
from jobs.models import JobRun, JobStatus
from jobs.purge import PURGE_KIND, PurgeParams
from jobs.registry import (
    JobParams,
    job_kind_get,
    job_kind_register,
    job_kind_unregister,
    job_kinds_registered,
)
from jobs.services import job_start
from jobs.tasks import job_start_task
from tests.jobs.worker_kinds import COUNT_KIND, CountParams


def test_every_app_registers_its_kinds():
    assert {"forecast", "import", "demo_load", PURGE_KIND, COUNT_KIND} <= set(
        job_kinds_registered()
    )
    assert job_kind_get("import").params is ImportParams


def test_params_round_trip_through_the_job_row(admin_user):
    params = CountParams(to=6, steps=[1, 2, 3])
    assert params.steps == (1, 2, 3)
    job = job_start(kind=COUNT_KIND, params=params, actor=admin_user)
    assert job.params == {"to": 6, "steps": [1, 2, 3], "pause_s": 0.0}
    assert CountParams.from_json(job.params) == params
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["counted"] == 6
    assert job.created_by == admin_user


def test_params_refuse_unknown_keys_and_bad_values():
    with pytest.raises(ValueError, match="unknown parameters for CountParams: colour"):
        CountParams.from_json({"to": 3, "colour": "red"})
    with pytest.raises(ValueError, match="to must be at least 1"):
        CountParams(to=0)
    with pytest.raises(ValueError, match="older_than_days must be between 1 and 3650"):
        PurgeParams(older_than_days=0)
    with pytest.raises(ValueError, match="format must be one of"):
        ImportParams(format="xml", paths=("a.csv",))
    with pytest.raises(ValueError, match="paths must list"):
        ImportParams(format="sop", paths=())
    with pytest.raises(ValueError, match="stores must be at least 1"):
        DemoLoadParams(stores=0)


def test_purge_defaults_to_the_retention_setting(settings):
    settings.JOB_RETENTION_DAYS = 45
    assert PurgeParams().older_than_days == 45
    assert PurgeParams.from_json({}) == PurgeParams(older_than_days=45)


def test_job_start_refuses_the_wrong_params_or_an_unknown_kind(admin_user):
    with pytest.raises(TypeError, match="takes CountParams, not PurgeParams"):
        job_start(kind=COUNT_KIND, params=PurgeParams(), actor=admin_user)
    with pytest.raises(LookupError, match="no job kind 'nope'"):
        job_start(kind="nope", params=PurgeParams(), actor=admin_user)
    assert not JobRun.objects.exists()


def test_registering_needs_a_params_dataclass_and_a_free_name():
    class Loose(JobParams):
        pass

    with pytest.raises(TypeError, match="must be a JobParams dataclass"):
        job_kind_register(name="loose", params=Loose, work=lambda job, params, progress: None)

    @dataclass(frozen=True)
    class Other(JobParams):
        pass

    with pytest.raises(ValueError, match="registered already"):
        job_kind_register(name=COUNT_KIND, params=Other, work=lambda job, params, progress: None)
    job_kind_register(name="temporary", params=Other, work=lambda job, params, progress: None)
    job_kind_unregister("temporary")
    assert "temporary" not in job_kinds_registered()


def test_beat_entry_starts_a_job_from_json_kwargs(db, settings):
    settings.SOP_JOBS_MODE = "eager"
    job_id = job_start_task.run(kind=PURGE_KIND, params={"older_than_days": 30})
    job = JobRun.objects.get(pk=job_id)
    assert job.kind == PURGE_KIND and job.created_by is None
    assert job.params == {"older_than_days": 30}
    assert job.status == JobStatus.SUCCEEDED


def test_import_command_builds_typed_params(tmp_path, admin_user):
    (tmp_path / "sales.csv").write_text("date,store,sku,quantity\n")
    call_command("import_data", str(tmp_path / "sales.csv"), "--format", "sop", stdout=StringIO())
    job = JobRun.objects.get(kind="import")
    assert ImportParams.from_json(job.params).paths == (str((tmp_path / "sales.csv").resolve()),)
