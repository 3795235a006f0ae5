"""A request id on every request and every log line written while serving it.

nginx sends X-Request-ID (deploy/nginx/moneybridge.conf); without one (tests, the demo) a new
id is made. The id goes back in the response header, so a support agent can quote it and an
engineer can find every line of that request.
"""

import contextvars
import logging
import re
import uuid

_current = contextvars.ContextVar("request_id", default="")
VALID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def current_request_id() -> str:
    return _current.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if VALID.match(given) else uuid.uuid4().hex
        token = _current.set(request_id)
        request.request_id = request_id
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get()
        return True
