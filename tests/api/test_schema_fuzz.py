"""Schemathesis against the live OpenAPI schema: generated requests (valid and invalid) to
every operation, signed in as a real sender. No answer may be a 5xx, and every answer must be
documented: its status code, content type and body shape."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.api.conftest import Api, sign_up

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def bearer(client, corridors, settings):
    settings.API_THROTTLE_USER = settings.API_THROTTLE_AUTH = "100000/m"
    settings.SANDBOX_API = False  # nothing leaves the process
    account = sign_up(Api(client))
    return {"Authorization": f"Bearer {account['access_token']}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
def test_no_5xx_and_every_answer_matches_the_schema(case, bearer):
    case.call_and_validate(headers=bearer, checks=CHECKS)
