"""The one NinjaAPI of the project: sender auth, error contract, router mounting.

Every error leaves as RFC 9457 `application/problem+json` with a stable machine `code`; this
module is the only place that maps domain exceptions to HTTP statuses. Titles follow the
request's language (Accept-Language, English or French).
"""

import logging

from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from accounts.auth import SenderAuth
from accounts.errors import AlreadyRegistered, InvalidProfile, NotAuthenticated
from compliance.errors import FileTooLarge, UnsupportedFile
from config.api_problems import problem
from payments import errors as pe
from providers.errors import ProviderError

log = logging.getLogger(__name__)

# The status each domain error answers with; anything else is a 422.
STATUS = {
    pe.NotFound: 404,
    NotAuthenticated: 401,
    AlreadyRegistered: 409,
    pe.QuoteExpired: 409,
    pe.QuoteUnavailable: 409,
    pe.NotAllowedNow: 409,
    pe.IllegalTransition: 409,
    pe.FundingMismatch: 409,
    pe.IdempotencyKeyReused: 409,
    pe.RateUnavailable: 503,
    InvalidProfile: 422,
    FileTooLarge: 413,
    UnsupportedFile: 415,
}


class MoneyBridgeAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Errors are documented as application/problem+json, as they are sent."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if str(status)[0] in "45" and "application/json" in content:
                        content["application/problem+json"] = content.pop("application/json")
        return schema


api = MoneyBridgeAPI(
    title="MoneyBridge API",
    version="1",
    urls_namespace="api-v1",
    auth=SenderAuth(),
    description=(
        "The senders' API. Money is always `{amount, currency}` with the amount a decimal "
        "string in major units with the currency's own decimals. Errors are "
        "`application/problem+json` with a stable `code`. Send `Accept-Language: fr` for "
        "French messages. POST /transfers needs an `Idempotency-Key` header."
    ),
)


@api.exception_handler(pe.DomainError)
def domain_error(request, exc: pe.DomainError):
    status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 422)
    return problem(status, exc.code, _(str(exc)))


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    errors = [
        {
            "field": ".".join(str(part) for part in item.get("loc", ())[2:])
            or ".".join(str(part) for part in item.get("loc", ())),
            "message": item.get("msg", ""),
        }
        for item in exc.errors
    ]
    detail = _("Some fields are missing or invalid: see errors.")
    return problem(422, "validation_error", detail, errors=errors)


@api.exception_handler(AuthenticationError)
def not_authenticated(request, exc):
    return problem(
        401,
        "not_authenticated",
        _("Sign in: this request needs a valid access token."),
        headers={"WWW-Authenticate": "Bearer"},
    )


@api.exception_handler(Throttled)
def throttled(request, exc: Throttled):
    headers = {"Retry-After": str(int(exc.wait))} if exc.wait else {}
    return problem(429, "rate_limited", _("Too many requests: wait and try again."), None, headers)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return problem(exc.status_code, f"http_{exc.status_code}", str(exc.message))


@api.exception_handler(ProviderError)
def provider_error(request, exc: ProviderError):
    detail = _("A payment partner did not answer as expected: try again in a moment.")
    return problem(503, "provider_unavailable", detail)


@api.exception_handler(ValueError)
def bad_text(request, exc: ValueError):
    """PostgreSQL cannot store NUL characters: refuse such text as any invalid input."""
    if "NUL (0x00)" in str(exc):
        return problem(422, "invalid_text", _("Text fields may not contain NUL characters."))
    return server_error(request, exc)


@api.exception_handler(Exception)
def server_error(request, exc: Exception):
    """A bug: logged with its traceback; the client gets a problem, never a stack trace."""
    log.error("API %s %s failed", request.method, request.path, exc_info=exc)
    return problem(500, "server_error", _("Something went wrong on our side: try again later."))


@api.get("/health", auth=None, tags=["ops"])
def health(request):
    """Liveness probe: the process answers and the database is reachable."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"ok": True}


api.add_router("/", "accounts.api.router.router")
api.add_router("/", "payments.api.router.router")
api.add_router("/", "compliance.api.router.router")
