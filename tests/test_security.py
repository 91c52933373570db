"""Security settings that must not regress: lockout, Argon2, deploy checks, CSP with nonces."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from sop_site.settings import base
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"


def _production_env() -> dict[str, str]:
    # A deployment never runs with the browser tests' async-safety override.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {
        **inherited,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "example.com",
        "DATABASE_URL": "postgres://sop:sop@db.example.com:5432/sop",
    }


def test_sixth_attempt_is_locked_out_even_with_the_right_password(client, planner):
    url = reverse("login")
    statuses = [
        client.post(url, {"username": planner.username, "password": "wrong-guess"}).status_code
        for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure engages the lock
    response = client.post(url, {"username": planner.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_right_password_before_the_limit_logs_in(client, planner):
    url = reverse("login")
    for _ in range(4):
        client.post(url, {"username": planner.username, "password": "wrong-guess"})
    response = client.post(url, {"username": planner.username, "password": PASSWORD})
    assert response.status_code == 302


def test_argon2_is_first_in_base():
    assert base.PASSWORD_HASHERS[0] == ARGON2


def test_argon2_is_first_in_production():
    code = "from sop_site.settings import production; print(production.PASSWORD_HASHERS[0])"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip() == ARGON2


def test_production_settings_pass_the_deploy_checks():
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            "--settings",
            "sop_site.settings.production",
        ],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret():
    env = {k: v for k, v in _production_env().items() if k != "DJANGO_SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "-c", "import sop_site.settings.production"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


PAGES = [
    ("login", {}, None),
    ("home", {}, "planner"),
    ("home", {}, "admin_user"),
    ("home", {}, "executive"),
    ("masterdata:overview", {}, "planner"),
    ("accounts:users", {}, "admin_user"),
    ("accounts:user_create", {}, "admin_user"),
    ("accounts:token", {}, "executive"),
    ("audit:list", {}, "admin_user"),
]


@pytest.mark.parametrize(("url_name", "kwargs", "who"), PAGES)
def test_pages_send_csp_and_every_script_carries_the_nonce(client, request, url_name, kwargs, who):
    if who:
        client.force_login(request.getfixturevalue(who))
    else:
        request.getfixturevalue("db")
    response = client.get(reverse(url_name, kwargs=kwargs))
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    page = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts, "every page loads htmx at least"
    for tag in scripts:
        if 'type="application/json"' in tag:
            continue  # data blocks (json_script) are never executed
        assert f'nonce="{nonce}"' in tag, tag
    assert not re.search(r"\son[a-z]+\s*=", page), "inline event handlers are blocked by CSP"
