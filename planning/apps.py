"""The monthly S&OP cycle: plan versions, planners' overrides, scenarios, approvals, sign-off."""

from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = "S&OP planning cycle"
