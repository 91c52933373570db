"""Project package: settings, URL routing and the Celery application."""

from sop_site.celery import app as celery_app

__all__ = ("celery_app",)
