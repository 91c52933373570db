"""Roles are Django groups; a planner's scope narrows what they see to regions and categories.

Regions and categories are named by label: ``accounts`` sits below ``masterdata`` and imports
no other app of ours.
"""

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    PLANNER = "planner", "Planner"
    ADMIN = "admin", "Admin"
    EXECUTIVE = "executive", "Executive"


class PlanningScope(models.Model):
    """The regions and categories a planner is responsible for.

    Empty regions means every region; empty categories means every category. A category
    grants its whole subtree.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="planning_scope"
    )
    regions = models.ManyToManyField("masterdata.Region", blank=True, related_name="+")
    categories = models.ManyToManyField("masterdata.Category", blank=True, related_name="+")

    def __str__(self) -> str:
        return f"Scope of {self.user}"
