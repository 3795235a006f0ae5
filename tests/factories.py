"""Builders for the objects tests need, going through the real services."""

import itertools
from unittest import mock

from django.utils.module_loading import import_string
from django_q.models import OrmQ

from payments.customers import customer_create, recipient_create
from payments.pricing import quote_create
from payments.transfers import transfer_create, transfer_mark_funded, transfer_run_checks

_seq = itertools.count(1)

WALLETS = {  # a valid mobile number per country; the sandbox reads the last two digits
    "SN": "+22177123{:04d}",
    "CI": "+225070123{:04d}",
    "ML": "+2237612{:04d}",
    "BF": "+2267012{:04d}",
    "CM": "+23767123{:04d}",
    "GN": "+22462123{:04d}",
    "GH": "+23324123{:04d}",
}


def customer(**overrides):
    n = next(_seq)
    fields = {
        "email": f"sender{n}@example.com",
        "first_name": "Aminata",
        "last_name": f"Diallo{n}",
        "country": "FR",
        "phone": "+33612345678",
    }
    tier = overrides.pop("kyc_tier", 3)
    made = customer_create(**(fields | overrides))
    if tier:  # verified, as a compliance review would leave them
        made.kyc_tier, made.kyc_status = tier, "verified"
        made.save(update_fields=["kyc_tier", "kyc_status"])
    return made


def wallet(country: str, scenario: str = "ok") -> str:
    """A wallet number for a sandbox scenario (see providers/sandbox.py)."""
    suffix = {"declined": 0, "timeout": 1, "unreachable": 2, "fails": 3, "pending": 4}.get(scenario)
    n = next(_seq) % 90
    last_four = n * 100 + suffix if suffix is not None else n * 100 + 50 + (n % 40)
    return WALLETS[country].format(last_four)


def recipient(owner, *, country="SN", provider="wave", scenario="ok", phone=None):
    return recipient_create(
        customer=owner,
        first_name="Moussa",
        last_name="Ndiaye",
        country=country,
        phone=phone or wallet(country, scenario),
        provider=provider,
    )


def transfer(
    *,
    corridor="fr-sn",
    provider="wave",
    scenario="ok",
    send=10_000,
    sender=None,
    country=None,
    phone=None,
):
    sender = sender or customer()
    country = country or corridor.split("-")[1].upper()
    to = recipient(sender, country=country, provider=provider, scenario=scenario, phone=phone)
    quote = quote_create(
        customer=sender, corridor_code=corridor, send_amount_minor=send, payout_provider=provider
    )
    return transfer_create(customer=sender, quote_id=quote.pk, recipient_id=to.pk)


def funded_transfer(**kwargs):
    """A transfer whose euros arrived and whose checks passed (its queued jobs still wait)."""
    t = transfer(**kwargs)
    transfer_mark_funded(transfer_id=t.pk)
    return transfer_run_checks(transfer_id=t.pk)


def held_transfer(reason: str = "possible sanctions match", **kwargs):
    """A funded transfer that compliance holds."""
    t = transfer(**kwargs)
    transfer_mark_funded(transfer_id=t.pk)
    with mock.patch("payments.transfers.hold_reason_for_transfer", return_value=reason):
        return transfer_run_checks(transfer_id=t.pk)


def run_jobs(max_jobs: int = 100) -> list[str]:
    """Run queued django-q2 jobs in order, as a worker would, until the queue is empty."""
    ran = []
    for _ in range(max_jobs):
        row = OrmQ.objects.order_by("pk").first()
        if row is None:
            return ran
        task = row.task
        row.delete()
        func = task["func"]
        ran.append(func)
        (import_string(func) if isinstance(func, str) else func)(*task["args"], **task["kwargs"])
    raise AssertionError(f"the job queue did not drain after {max_jobs} jobs: {ran[-5:]}")
