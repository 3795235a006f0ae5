"""The API's error shape: RFC 9457 problem details with our stable `code`."""

import json

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema

PROBLEM_TYPE = "https://docs.moneybridge.example/problems/"


def _titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        401: _("Not signed in"),
        403: _("Not allowed"),
        404: _("Not found"),
        409: _("Not possible now"),
        413: _("Too large"),
        415: _("Unsupported file"),
        422: _("Invalid request"),
        429: _("Too many requests"),
        500: _("Server error"),
        502: _("Provider error"),
        503: _("Temporarily unavailable"),
    }


class FieldError(Schema):
    field: str
    message: str


class Problem(Schema):
    """RFC 9457 problem details, plus our stable `code` (and `errors` for invalid fields)."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldError] | None = None


# Add to an operation's `response=`: the problems it may answer with.
PROBLEMS = {frozenset({400, 401, 404, 409, 422, 429, 503}): Problem}


def problem(status: int, code: str, detail: str, errors=None, headers=None) -> HttpResponse:
    body = {
        "type": PROBLEM_TYPE + code,
        "title": _titles().get(status, _("Error")),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors is not None:
        body["errors"] = errors
    response = HttpResponse(
        json.dumps(body), status=status, content_type="application/problem+json"
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response
