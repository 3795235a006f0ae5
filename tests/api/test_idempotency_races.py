"""Parallel requests with one Idempotency-Key create one transfer (real PostgreSQL, real
threads and connections, through the whole HTTP stack)."""

import pytest
from django.test import Client

from payments.models import IdempotencyRecord, Transfer
from tests.api.conftest import Api, quote, recipient
from tests.races import race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("corridors")]


def test_parallel_requests_with_one_key_create_one_transfer(sender, stripe_sim):
    q = quote(sender, "80.00").json()
    r = recipient(sender)
    body = {"quote_id": q["id"], "recipient_id": r["id"]}

    def post():
        api = Api(Client(), sender.token)
        return api.post("/transfers", body, headers={"Idempotency-Key": "race-1"})

    answers = race(*[post] * 6)
    assert all(not isinstance(a, Exception) for a in answers), answers
    codes = sorted(a.status_code for a in answers)
    assert codes.count(201) == 1 and set(codes) <= {200, 201}, codes
    assert len({a.json()["id"] for a in answers}) == 1
    assert Transfer.objects.count() == 1 and IdempotencyRecord.objects.count() == 1
