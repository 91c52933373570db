"""Job runs: every long piece of work, its progress, its cost and its outcome."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


FINISHED_STATUSES = (JobStatus.SUCCEEDED, JobStatus.FAILED)


class JobRun(models.Model):
    kind = models.CharField(max_length=40, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    status = models.CharField(max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.FloatField(default=0, help_text="0 to 100.")
    message = models.CharField(max_length=300, blank=True)
    params = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    result = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    wall_seconds = models.FloatField(null=True, blank=True)
    cpu_seconds = models.FloatField(null=True, blank=True)
    peak_memory_mb = models.FloatField(
        null=True, blank=True, help_text="Peak memory the job added to its process, in MB."
    )
    time_limit_s = models.PositiveIntegerField(null=True, blank=True)
    memory_limit_mb = models.PositiveIntegerField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    task_id = models.CharField(
        max_length=64, blank=True, db_index=True, help_text="The Celery task id, if on Celery."
    )
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="How many times a worker started this job (redeliveries count)."
    )
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Last sign of life of the Celery worker running it."
    )
    log = models.JSONField(
        default=list,
        blank=True,
        encoder=DjangoJSONEncoder,
        help_text="What happened to the run: starts, lost workers, requeues (time and text).",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "finished_at"], name="job_status_finished")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__gte=0) & models.Q(progress__lte=100),
                name="job_progress_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def elapsed_seconds(self) -> float | None:
        """The measured wall time once finished; while running, the time since it started."""
        if self.wall_seconds is not None or self.started_at is None:
            return self.wall_seconds
        return (timezone.now() - self.started_at).total_seconds()


class WorkChunk(models.Model):
    """A slice of one fanned-out run that a worker claims (``jobs.heartbeat.claim_chunk``),
    so more workers add throughput and a dead worker's slice is taken over. Each app's chunk
    adds its run and the keys of its slice (stores, SKUs)."""

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    index = models.PositiveIntegerField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    series_count = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Last sign of life of the worker holding the chunk."
    )
    error = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["run", "index"]


class JobLimit(models.Model):
    """Compute limits an admin sets for one kind of job."""

    kind = models.CharField(max_length=40, unique=True)
    time_limit_s = models.PositiveIntegerField()
    memory_limit_mb = models.PositiveIntegerField()

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.time_limit_s}s, {self.memory_limit_mb} MB"


class Notification(models.Model):
    """An in-app message to a user, e.g. that a job hit its limit."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    level = models.CharField(max_length=10, default="info")
    message = models.CharField(max_length=500)
    job = models.ForeignKey(
        JobRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # The unread badge in the top bar counts these on every page.
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.message[:60]}"
