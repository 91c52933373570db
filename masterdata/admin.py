"""The company's conventions are edited in Django admin, by staff only; the audit log
records each change (``settings.AUDITED_MODELS``)."""

from django.contrib import admin

from masterdata.models import Company


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "currency", "week_ends_on", "complete_share")

    def has_add_permission(self, request) -> bool:
        return not Company.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
