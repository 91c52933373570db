"""Django admin of the cycle, for staff: read what happened; the pages and services change it
(the stage is a guarded state machine and is never edited by hand here)."""

from django.contrib import admin

from planning.models import (
    Override,
    PlanningCycle,
    PlanVersion,
    StageDeadline,
    StageTransition,
    Submission,
)


class StageDeadlineInline(admin.TabularInline):
    model = StageDeadline
    extra = 0
    fields = ["stage", "owner", "due_on"]


@admin.register(PlanningCycle)
class PlanningCycleAdmin(admin.ModelAdmin):
    list_display = ["name", "month", "stage", "horizon_weeks", "created_at"]
    readonly_fields = ["stage", "month", "first_week", "created_at", "created_by"]
    fields = ["name", "month", "stage", "first_week", "horizon_weeks", "created_at", "created_by"]
    inlines = [StageDeadlineInline]


@admin.register(PlanVersion)
class PlanVersionAdmin(admin.ModelAdmin):
    list_display = ["cycle", "number", "kind", "read_only", "created_at", "created_by"]
    list_filter = ["kind", "read_only"]
    readonly_fields = ["cycle", "number", "kind", "based_on", "read_only", "created_by"]


@admin.register(StageTransition)
class StageTransitionAdmin(admin.ModelAdmin):
    list_display = ["cycle", "source", "target", "by_name", "at", "reason"]
    list_filter = ["target"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Override)
class OverrideAdmin(admin.ModelAdmin):
    list_display = ["plan_version", "level", "week", "before", "after", "reason", "created_by_name"]
    list_filter = ["reason", "level"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["cycle", "stage", "scope_label", "submitted_by", "status", "reviewed_by"]
    list_filter = ["stage", "status"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
