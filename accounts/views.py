"""Log-in and the role home pages."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.roles import primary_role


@login_required
def home(request):
    return render(request, "accounts/home.html", {"role": primary_role(request.user)})
