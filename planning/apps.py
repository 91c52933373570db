"""The monthly S&OP cycle: plan versions, planners' overrides, scenarios, approvals, sign-off."""

from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = "S&OP planning cycle"

    def ready(self) -> None:
        from planning import jobs  # noqa: F401 - registers the scenario job kind
