"""User administration and the API token page (the home pages are in ``dashboards``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts import selectors, services
from accounts.forms import UserForm
from accounts.roles import ADMIN_ROLES, role_required
from accounts.versions import StaleEdit


@role_required(*ADMIN_ROLES)
def users(request):
    return render(request, "accounts/users.html", {"users": selectors.user_list()})


@role_required(*ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def user_create(request):
    form = UserForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        user = services.user_create(
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password1"],
            **form.service_kwargs(),
        )
        messages.success(request, f"User {user.username} created.")
        return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form, "editing": None})


@role_required(*ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def user_edit(request, pk: int):
    editing = get_object_or_404(User, pk=pk)
    form = UserForm(request.POST or None, instance=editing, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(
                user=editing,
                expected_version=form.cleaned_data["version"],
                **form.service_kwargs(),
            )
        except StaleEdit:
            # Someone saved this user meanwhile: show the current values, save nothing.
            editing = get_object_or_404(User, pk=pk)
            form = UserForm(instance=editing, actor=request.user)
            context = {"form": form, "editing": editing, "stale": True}
            return render(request, "accounts/user_form.html", context, status=409)
        if form.cleaned_data["password1"]:
            services.user_set_password(user=editing, password=form.cleaned_data["password1"])
        messages.success(request, f"User {editing.username} saved.")
        return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form, "editing": editing})


@login_required
@require_http_methods(["GET", "POST"])
def token(request):
    """Any user's own API token, for ERP/CRM integrations acting as that user."""
    if request.method == "POST":
        services.token_regenerate(user=request.user)
        messages.success(request, "A new API token was issued; the previous one no longer works.")
        return redirect("accounts:token")
    current = selectors.api_token_of(request.user)
    return render(request, "accounts/token.html", {"token": current})
