import itertools
import json

import pytest
from django.core.cache import cache
from django.test import Client

_seq = itertools.count(1)
PASSWORD = "correct horse battery staple"  # noqa: S105 - a test password


class Api:
    """The senders' API as the mobile app calls it: JSON over HTTP, bearer token."""

    def __init__(self, client: Client, token: str = ""):
        self.client, self.token = client, token

    def call(self, method: str, path: str, body=None, *, token=None, headers=None, **extra):
        token = self.token if token is None else token
        if token:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        for name, value in (headers or {}).items():
            extra["HTTP_" + name.upper().replace("-", "_")] = value
        return getattr(self.client, method)(
            f"/api/v1{path}",
            data=json.dumps(body) if body is not None else None,
            content_type="application/json",
            **extra,
        )

    def get(self, path, **kw):
        return self.call("get", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("post", path, body if body is not None else {}, **kw)

    def patch(self, path, body, **kw):
        return self.call("patch", path, body, **kw)

    def delete(self, path, **kw):
        return self.call("delete", path, **kw)


@pytest.fixture(autouse=True)
def fresh_throttles(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anon(client) -> Api:
    return Api(client)


def sign_up(api: Api, *, country="FR", verified=True, **overrides) -> dict:
    """Register and sign in; `verified` puts the sender at KYC tier 1 as a review would."""
    from payments.models import Customer

    n = next(_seq)
    body = {
        "email": f"awa.{n}@example.com", "password": PASSWORD, "phone": "+33612345678",
        "country": country, "first_name": "Awa", "last_name": f"Ndiaye{n}",
    } | overrides  # fmt: skip
    created = api.post("/auth/register", body, token="")
    assert created.status_code == 201, created.content
    if verified:
        Customer.objects.filter(email=body["email"]).update(kyc_tier=1, kyc_status="verified")
    tokens = api.post(
        "/auth/token", {"email": body["email"], "password": PASSWORD}, token=""
    ).json()
    return {"email": body["email"], "id": created.json()["id"], **tokens}


@pytest.fixture
def sender(client) -> Api:
    api = Api(client)
    api.account = sign_up(api)
    api.token = api.account["access_token"]
    return api


@pytest.fixture
def other_sender(client) -> Api:
    api = Api(Client())
    api.account = sign_up(api)
    api.token = api.account["access_token"]
    return api


WALLET_SN = "+221771234557"


def quote(api, amount="100.00", corridor="fr-sn", provider="wave", field="send_amount", cur="EUR"):
    """POST /quotes; the answer, for the test to check."""
    body = {
        "corridor": corridor,
        "payout_provider": provider,
        field: {"amount": amount, "currency": cur},
    }
    return api.post("/quotes", body)


def recipient(api, phone=WALLET_SN, country="SN", provider="wave") -> dict:
    """A recipient added through POST /recipients."""
    body = {"first_name": "Moussa", "last_name": "Ndiaye", "country": country, "phone": phone,
            "provider": provider}  # fmt: skip
    answer = api.post("/recipients", body)
    assert answer.status_code == 201, answer.json()
    return answer.json()
