"""Pages of the imports app: the upload form and the list of recent imports (admins only)."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.roles import ADMIN_ROLES, role_required
from imports.forms import ImportForm
from imports.selectors import recent_imports
from imports.services import import_upload_start


@role_required(*ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def upload(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        job = import_upload_start(
            user=request.user,
            fmt=data["format"],
            files=data["files"],
            create_missing=data["create_missing"],
            skip_invalid=data["skip_invalid"],
            grain=data["grain"],
            gaps=data["gaps"],
        )
        return redirect("jobs:detail", pk=job.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "imports": recent_imports(user=request.user, limit=5)}
    return render(request, "imports/upload.html", context, status=status)


@role_required(*ADMIN_ROLES)
@require_GET
def import_list(request):
    return render(request, "imports/list.html", {"imports": recent_imports(user=request.user)})
