"""Schemathesis against the live OpenAPI schema of a running server: generated requests,
valid and invalid, to every operation, signed in as a real sender. No answer may be a 5xx,
and every answer must be documented: its status code, content type and body shape.
Bounded (a few dozen examples per operation and mode) so it fits in `make test`."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import PASSWORD, Api, sign_up

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 15


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("corridors")
def test_no_5xx_and_every_answer_matches_the_schema(live_server, client, settings):
    settings.API_THROTTLE_USER = settings.API_THROTTLE_AUTH = "100000/m"
    settings.SANDBOX_API = False  # nothing leaves the process
    api = Api(client)
    account = sign_up(api)
    headers = {"Authorization": f"Bearer {account['access_token']}"}
    # /auth/logout revokes the token it is called with: it gets a session of its own.
    spare = api.post("/auth/token", {"email": account["email"], "password": PASSWORD}).json()
    spare_headers = {"Authorization": f"Bearer {spare['access_token']}"}
    fuzz_api(live_server.url, headers, spare_headers, examples=EXAMPLES)


def fuzz_api(base_url: str, headers: dict, spare_headers: dict, *, examples: int) -> int:
    """Every operation of the live schema, valid and invalid requests, `examples` of each;
    returns how many operations were exercised. Also run by bench/fault_campaign.py, larger."""
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        for mode in GenerationMode:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=examples,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def exercise(case):
                ours = spare_headers if case.path.endswith("/auth/logout") else headers
                case.headers = {**(case.headers or {}), **ours}  # ours, not generated
                try:
                    case.call_and_validate(base_url=base_url, checks=CHECKS)
                except BaseExceptionGroup as failures:  # not an Exception: Hypothesis would
                    raise AssertionError(str(failures)) from failures  # not report it

            try:
                exercise()
            except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
                assert mode == GenerationMode.NEGATIVE
    return len(operations)
