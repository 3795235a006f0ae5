"""Who may call what: every endpoint refuses a missing, expired or revoked token, and another
sender's objects do not exist for you (404, never 403)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ApiSession
from config.api import api
from tests.api.conftest import quote, recipient

pytestmark = pytest.mark.usefixtures("corridors")
PUBLIC = {"/health", "/auth/register", "/auth/token", "/auth/refresh"}


def operations():
    """Every (method, path) the schema documents, with ids filled in."""
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method in methods:
            yield method, path.removeprefix("/api/v1")


def fill(path: str, ids: dict) -> str:
    for name, value in ids.items():
        path = path.replace("{" + name + "}", str(value))
    return path


def test_the_schema_lists_the_whole_contract():
    paths = {p for _, p in operations()}
    assert {"/auth/register", "/auth/token", "/auth/refresh", "/auth/logout", "/me",
            "/corridors", "/quotes", "/quotes/{quote_id}", "/recipients",
            "/recipients/{recipient_id}", "/recipients/{recipient_id}/verify", "/transfers",
            "/transfers/{transfer_id}", "/transfers/{transfer_id}/cancel",
            "/sandbox/transfers/{transfer_id}/fund"} <= paths  # fmt: skip


@pytest.fixture
def owned(sender, stripe_sim):
    """One of each object, owned by `sender`."""
    q = quote(sender, "50.00").json()
    r = recipient(sender)
    t = sender.post("/transfers", {"quote_id": q["id"], "recipient_id": r["id"]},
                    headers={"Idempotency-Key": "owned-1"}).json()  # fmt: skip
    return {"quote_id": q["id"], "recipient_id": r["id"], "transfer_id": t["id"]}


@pytest.mark.parametrize("token", ["none", "garbage", "expired", "revoked"])
def test_every_private_endpoint_refuses_a_missing_or_dead_token(sender, owned, token):
    bearer = {"none": "", "garbage": "mba_not-a-token"}.get(token, sender.token)
    if token == "expired":
        ApiSession.objects.update(access_expires_at=timezone.now() - timedelta(seconds=1))
    if token == "revoked":
        ApiSession.objects.update(revoked_at=timezone.now())
    checked = 0
    for method, path in operations():
        if path in PUBLIC:
            continue
        answer = sender.call(method, fill(path, owned), {} if method != "get" else None,
                             token=bearer or "")  # fmt: skip
        assert answer.status_code == 401, (method, path, answer.status_code)
        assert answer.json()["code"] == "not_authenticated"
        checked += 1
    assert checked >= 14


def test_another_senders_objects_answer_404_and_stay_untouched(sender, other_sender, owned):
    checked = 0
    for method, path in operations():
        if path in PUBLIC or "{" not in path:
            continue
        answer = other_sender.call(method, fill(path, owned), {} if method != "get" else None)
        assert answer.status_code in (404, 422), (method, path, answer.status_code)
        if answer.status_code == 404:
            checked += 1
    assert checked >= 8
    mine = sender.get(f"/transfers/{owned['transfer_id']}").json()
    assert mine["status"] == "created"
    assert sender.get(f"/recipients/{owned['recipient_id']}").status_code == 200
    assert other_sender.get("/transfers").json()["items"] == []
    assert other_sender.get("/recipients").json() == []


def test_the_docs_and_schema_are_served_to_developers(anon):
    docs = anon.client.get("/api/v1/docs")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
    schema = anon.client.get("/api/v1/openapi.json").json()
    problem = schema["paths"]["/api/v1/transfers"]["post"]["responses"]["409"]["content"]
    assert "application/problem+json" in problem
    assert "Idempotency-Key" in str(schema["paths"]["/api/v1/transfers"]["post"]["parameters"])


def test_times_carry_their_offset(sender):
    created_at = sender.get("/me").json()["created_at"]
    assert created_at.endswith(("Z", "+00:00")) and "T" in created_at
