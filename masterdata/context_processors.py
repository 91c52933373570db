"""Puts the company's conventions (``company.currency``, ``company.week_ends_on``) in every
template's context, read lazily: a page that shows no amount asks the database nothing."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from masterdata.selectors import company as company_conventions


def company(request: HttpRequest) -> dict[str, object]:
    return {"company": SimpleLazyObject(company_conventions)}
