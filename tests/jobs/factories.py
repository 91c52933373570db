"""factory_boy factories for job runs and notifications."""

import factory
from django.utils import timezone

from jobs.models import JobRun, JobStatus, Notification


class JobRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobRun

    kind = "forecast"
    status = JobStatus.QUEUED
    time_limit_s = 3600
    memory_limit_mb = 2048


class FinishedJobRunFactory(JobRunFactory):
    status = JobStatus.SUCCEEDED
    progress = 100
    message = "Done"
    started_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyFunction(timezone.now)
    wall_seconds = 12.5
    cpu_seconds = 11.0
    peak_memory_mb = 180.0


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    message = factory.Sequence(lambda n: f"Job forecast #{n} stopped: time limit of 2 s reached.")
    level = "error"
