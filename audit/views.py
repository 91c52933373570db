"""The audit page: admins read who changed what."""

from django.core.paginator import Paginator
from django.shortcuts import render

from accounts.roles import ADMIN_ROLES, role_required
from audit.forms import AuditFilterForm
from audit.selectors import audit_entries, entry_changes

PAGE_SIZE = 50


@role_required(*ADMIN_ROLES)
def audit_list(request):
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        entries = audit_entries().none()
    else:
        entries = audit_entries(**form.selector_filters())
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page:
        entry.changes = entry_changes(entry)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "audit/list.html", {"form": form, "page": page, "query": query.urlencode()}
    )
