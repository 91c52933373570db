"""The permission matrix: every URL of the project, every role, anonymous and out of scope.

Every URL pattern must have a ``UrlRule`` in some ``tests/<app>/url_rules.py`` (see
``tests/permissions.py``); a URL without one fails ``test_every_url_has_a_rule``. For each rule:

- anonymous users are redirected to the log-in page (pages) or get 401/403 (API), unless the
  rule is ``public``, when they get 200;
- each role in ``allowed`` gets ``rule.status``; every other role gets 403;
- with ``out_of_scope_kwargs``, the scoped planner gets 404.

Skipped URL patterns, and why:

- ``django-admin/``: Django's own admin, guarded by ``is_staff`` and tested by Django.
- ``static/`` and ``media/``: files, not views (only routed by ``runserver`` in debug).
- DRF format-suffix variants (``…\\.(?P<format>…)``): the same view as the plain route, which
  the matrix already checks under the same URL name.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.matrix_world import matrix_world, url_rule_modules  # noqa: F401  (fixture)
from tests.permissions import ADMIN, ANONYMOUS, EXECUTIVE, PLANNER, UrlRule

SKIPPED_PREFIXES = ("django-admin/", "static/", "media/")
SKIPPED_NAMESPACES = {"admin"}
OUT_OF_SCOPE = "planner-out-of-scope"
ROLES = (PLANNER, ADMIN, EXECUTIVE)


def _is_format_suffix(route: str) -> bool:
    return "(?P<format>" in route or "<format>" in route or "<drf_format_suffix" in route


def project_url_names() -> dict[str, str]:
    """Every routed view of the project: full URL name (with namespaces) → route."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str, namespaces: tuple[str, ...]) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if route.startswith(SKIPPED_PREFIXES) or _is_format_suffix(route):
                continue
            if isinstance(entry, URLResolver):
                if entry.namespace in SKIPPED_NAMESPACES:
                    continue
                inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
                walk(entry.url_patterns, route, inner)
            elif isinstance(entry, URLPattern):
                name = ":".join((*namespaces, entry.name)) if entry.name else f"<unnamed {route}>"
                found.setdefault(name, route)

    walk(get_resolver().url_patterns, "", ())
    return found


def all_rules() -> list[UrlRule]:
    return [rule for module in url_rule_modules() for rule in module.URL_RULES]


def _cases() -> list[Any]:
    cases = []
    for rule in all_rules():
        subjects = [ANONYMOUS, *ROLES]
        if PLANNER in rule.allowed and rule.out_of_scope_kwargs is not None:
            subjects.append(OUT_OF_SCOPE)
        for subject in subjects:
            cases.append(
                pytest.param(rule, subject, id=f"{rule.method} {rule.url_name} [{subject}]")
            )
    return cases


def test_every_url_has_a_rule():
    ruled = {rule.url_name for rule in all_rules()}
    missing = sorted(set(project_url_names()) - ruled)
    assert not missing, f"URLs without a UrlRule in tests/<app>/url_rules.py: {missing}"


def test_every_rule_names_a_url():
    stale = sorted({rule.url_name for rule in all_rules()} - set(project_url_names()))
    assert not stale, f"UrlRules for URLs that do not exist: {stale}"


def test_rules_are_unique():
    keys = [(rule.url_name, rule.method) for rule in all_rules()]
    assert len(keys) == len(set(keys)), "Two UrlRules for the same URL name and method."


def _call(client, rule: UrlRule, url: str):
    method = getattr(client, rule.method.lower())
    if rule.method == "GET":
        return method(url, rule.data)
    if rule.api:
        return method(url, rule.data, content_type="application/json")
    return method(url, rule.data)


@pytest.mark.parametrize(("rule", "subject"), _cases())
def test_permission(rule: UrlRule, subject: str, client, matrix_world):  # noqa: F811
    scoped_out = subject == OUT_OF_SCOPE
    kwargs = (rule.out_of_scope_kwargs if scoped_out else rule.kwargs)(matrix_world)
    url = reverse(rule.url_name, kwargs=kwargs)
    if subject != ANONYMOUS:
        client.force_login(matrix_world[PLANNER if scoped_out else subject])
    response = _call(client, rule, url)

    if subject == ANONYMOUS and rule.public:
        assert response.status_code == 200, response
    elif subject == ANONYMOUS and rule.api:
        assert response.status_code in (401, 403), response
    elif subject == ANONYMOUS:
        assert response.status_code == 302, response
        assert response["Location"].startswith(reverse(settings.LOGIN_URL)), response["Location"]
    elif scoped_out:
        assert response.status_code == 404, response
    elif subject in rule.allowed:
        assert response.status_code == rule.status, response
    else:
        assert response.status_code == 403, response
