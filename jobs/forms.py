"""Forms of the jobs pages: per-kind limits, purging, marking notifications read."""

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator

MAX_TIME_LIMIT_S = 7 * 24 * 3600
MAX_MEMORY_LIMIT_MB = 1024 * 1024


class JobLimitForm(forms.Form):
    kind = forms.CharField(
        max_length=40,
        validators=[
            RegexValidator(
                r"^[a-z0-9_.-]+$",
                "Use the job kind as shown in the jobs list: lower-case letters, digits, "
                "'_', '.' or '-'.",
            )
        ],
        help_text="The kind of job, e.g. import or forecast.",
    )
    time_limit_s = forms.IntegerField(
        label="Time limit (seconds)", min_value=1, max_value=MAX_TIME_LIMIT_S
    )
    memory_limit_mb = forms.IntegerField(
        label="Memory limit (MB)", min_value=16, max_value=MAX_MEMORY_LIMIT_MB
    )


class JobPurgeForm(forms.Form):
    older_than_days = forms.IntegerField(
        label="Delete finished jobs older than (days)",
        min_value=1,
        max_value=3650,
        initial=settings.JOB_RETENTION_DAYS,
    )


class NotificationReadForm(forms.Form):
    """Which notification to mark read; none means all of them."""

    notification = forms.IntegerField(required=False, min_value=1)
