"""Append-only audit log of who changed what."""

from django.apps import AppConfig
from django.conf import settings


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from audit.receivers import connect_audited_models

        connect_audited_models(getattr(settings, "AUDITED_MODELS", {}))
