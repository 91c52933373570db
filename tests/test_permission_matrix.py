"""The permission matrix: every URL of the project, every role, anonymous and out of scope.

Every URL pattern must have a ``UrlRule`` in some ``tests/<app>/url_rules.py`` (see
``tests/permissions.py``); a URL without one fails ``test_every_url_has_a_rule``. For each rule:

- anonymous users are redirected to the log-in page (pages) or get 401/403 (API), unless the
  rule is ``public``, when they get 200;
- each role in ``allowed`` gets ``rule.status``; every other role gets 403;
- with ``out_of_scope_kwargs`` (an object in the URL) or ``out_of_scope_data`` (objects named
  in the body: a pin, an API batch), the scoped planner gets 404 (or the rule's
  ``out_of_scope_status``);
- for a write (POST, PUT, PATCH, DELETE), every refused subject (anonymous, a wrong role, the
  planner out of scope) leaves every project table exactly as it was (``database_fingerprint``).

Writes nobody declared are probed too: ``test_undeclared_writes_change_nothing`` sends every
write method that has no rule of its own to every URL as every subject, and fails when one
answers 500 or changes any table, so a new form or action cannot ship without its rule.

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

from tests.matrix_world import (  # noqa: F401  (fixture)
    database_fingerprint,
    matrix_world,
    url_rule_modules,
)
from tests.permissions import (
    ADMIN,
    ANONYMOUS,
    EXECUTIVE,
    PLANNER,
    WRITE_METHODS,
    UrlRule,
)

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
        if PLANNER in rule.allowed and rule.checks_scope:
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


def _call(client, method: str, url: str, data, *, api: bool):
    send = getattr(client, method.lower())
    if method == "GET" or (method == "POST" and not api):
        return send(url, data)
    return send(url, data, content_type="application/json")


def _refused(rule: UrlRule, subject: str) -> bool:
    if subject == ANONYMOUS:
        return not rule.public
    return subject == OUT_OF_SCOPE or subject not in rule.allowed


@pytest.mark.parametrize(("rule", "subject"), _cases())
def test_permission(rule: UrlRule, subject: str, client, matrix_world):  # noqa: F811
    scoped_out = subject == OUT_OF_SCOPE
    url = reverse(rule.url_name, kwargs=rule.url_kwargs(matrix_world, out_of_scope=scoped_out))
    if subject != ANONYMOUS:
        client.force_login(matrix_world[PLANNER if scoped_out else subject])
    must_not_write = rule.writes and _refused(rule, subject)
    before = database_fingerprint() if must_not_write else None
    body = rule.body(matrix_world, out_of_scope=scoped_out)
    response = _call(client, rule.method, url, body, api=rule.api)

    if subject == ANONYMOUS and rule.public:
        assert response.status_code == 200, response
    elif subject == ANONYMOUS and rule.api:
        assert response.status_code in (401, 403), response
    elif subject == ANONYMOUS:
        assert response.status_code == 302, response
        assert response["Location"].startswith(reverse(settings.LOGIN_URL)), response["Location"]
    elif scoped_out:
        assert response.status_code == rule.out_of_scope_status, response
    elif subject in rule.allowed:
        assert response.status_code == rule.status, response
    else:
        assert response.status_code == 403, response
    if before is not None:
        assert database_fingerprint() == before, f"refused {rule.method} wrote to the database"


def _probe_targets() -> list[Any]:
    """One rule per URL name (its GET rule when it has one), for its URL arguments."""
    targets: dict[str, UrlRule] = {}
    for rule in all_rules():
        if rule.url_name not in targets or rule.method == "GET":
            targets[rule.url_name] = rule
    return [pytest.param(rule, id=name) for name, rule in sorted(targets.items())]


@pytest.mark.parametrize("rule", _probe_targets())
def test_undeclared_writes_change_nothing(rule: UrlRule, client, matrix_world):  # noqa: F811
    """Every write method without a rule of its own, sent empty by every subject (in and
    out of scope), is refused or ignored: never a 500, never a changed row."""
    declared = {(r.url_name, r.method) for r in all_rules()}
    methods = [m for m in WRITE_METHODS if (rule.url_name, m) not in declared]
    targets = [(rule.url_kwargs(matrix_world), "in scope")]
    if rule.out_of_scope_kwargs is not None:
        targets.append((rule.url_kwargs(matrix_world, out_of_scope=True), "out of scope"))
    before = database_fingerprint()  # nothing may change it, so one is enough
    for method in methods:
        for kwargs, where in targets:
            url = reverse(rule.url_name, kwargs=kwargs)
            for subject in (ANONYMOUS, *ROLES):
                client.logout()
                if subject != ANONYMOUS:
                    client.force_login(matrix_world[subject])
                response = _call(client, method, url, {}, api=rule.api)
                said = f"{method} {url} ({where}) by {subject}"
                assert response.status_code < 500, said
                assert database_fingerprint() == before, f"{said} wrote to the database"
