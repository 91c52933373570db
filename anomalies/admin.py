"""Django admin: the company's alert policy (minimum severity, per-store budget, who is
notified), edited by admins; changes are audited (``AUDITED_MODELS``)."""

from django.contrib import admin

from anomalies.models import AlertPolicy


@admin.register(AlertPolicy)
class AlertPolicyAdmin(admin.ModelAdmin):
    list_display = ("min_severity", "store_daily_budget", "notify_min_severity")

    def has_add_permission(self, request) -> bool:
        # One row: the policy. It is created with the defaults on first use.
        return not AlertPolicy.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
