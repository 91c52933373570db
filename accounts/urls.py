"""Log-in, log-out, user administration and the API token page."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views

account_patterns = (
    [
        path("users/", views.users, name="users"),
        path("users/new/", views.user_create, name="user_create"),
        path("users/<int:pk>/", views.user_edit, name="user_edit"),
        path("token/", views.token, name="token"),
    ],
    "accounts",
)

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include(account_patterns)),
]
