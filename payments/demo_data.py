"""Realistic demo data, made through the real services so every number and entry is true."""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_q.models import OrmQ
from faker import Faker

from compliance.monitoring import writing_history
from payments import payouts, pricing, refunds, transfers
from payments.customers import customer_create, normalize_msisdn, recipient_create
from payments.errors import DomainError, LimitExceeded
from payments.funding import funding_receive
from payments.models import (
    Corridor,
    Customer,
    PayoutAttempt,
    Quote,
    Recipient,
    Refund,
    Transfer,
    TransferEvent,
)
from payments.states import TransferStatus as S

FIRST_NAMES = [
    "Aminata",
    "Moussa",
    "Fatou",
    "Ibrahima",
    "Awa",
    "Mamadou",
    "Aïssatou",
    "Ousmane",
    "Mariama",
    "Cheikh",
    "Kadiatou",
    "Seydou",
    "Adjoa",
    "Kwame",
    "Yaw",
    "Akosua",
    "Salif",
    "Rokia",
    "Boubacar",
    "Ndeye",
    "Jean-Baptiste",
    "Brigitte",
    "Koffi",
    "Abena",
]
LAST_NAMES = [
    "Diallo",
    "Ndiaye",
    "Traoré",
    "Coulibaly",
    "Diop",
    "Keïta",
    "Sow",
    "Camara",
    "Touré",
    "Bah",
    "Koné",
    "Ouédraogo",
    "Sawadogo",
    "Mensah",
    "Owusu",
    "Boateng",
    "Fofana",
    "Sylla",
    "Kaboré",
    "Ngono",
    "Mbarga",
    "Fall",
    "Sarr",
    "Cissé",
    "Kouassi",
    "Yao",
]
# A mobile prefix per country; the rest of the number is random (never ending in 00-09,
# which the sandbox reserves for failure scenarios).
MOBILE_PREFIX = {
    "SN": ("+22177", 7), "CI": ("+225070", 7), "ML": ("+22376", 6), "BF": ("+22670", 6),
    "CM": ("+23767", 7), "GN": ("+22462", 7), "GH": ("+23324", 7),
}  # fmt: skip
# How the seeded transfers end up, by weight.
OUTCOMES = [
    (S.PAID_OUT, 70), (S.CREATED, 4), (S.CANCELLED, 3), (S.EXPIRED, 4), (S.FUNDED, 2),
    (S.FUNDING, 1),
    (S.ON_HOLD, 3), (S.PAYOUT_PENDING, 2), (S.PAYOUT_SUBMITTED, 4), (S.PAYOUT_FAILED, 4),
    (S.REFUNDED, 4),
]  # fmt: skip
HOLD_REASONS = [
    "possible sanctions list match on recipient name",
    "amount unusual for this sender",
    "sender identity documents under review",
]


class Seeder:
    def __init__(self, seed: int = 7):
        self.rnd = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
        self.fake = Faker("fr_FR")
        self.fake.seed_instance(seed)
        self.corridors = list(Corridor.objects.filter(active=True))
        self.address_book: dict[tuple[int, str | None], list[Recipient]] = {}

    def wallet_number(self, country: str, scenario_suffix: str | None = None) -> str:
        prefix, digits = MOBILE_PREFIX[country]
        while True:
            body = "".join(self.rnd.choice("0123456789") for _ in range(digits - 2))
            tail = scenario_suffix or f"{self.rnd.randint(10, 99)}"
            try:
                return normalize_msisdn(prefix + body + tail, country)
            except DomainError:
                continue

    def ensure_rates(self) -> None:
        now = timezone.now()
        for currency, rate in (("GHS", Decimal("16.4210")), ("GNF", Decimal("9350.25"))):
            pricing.fx_rate_record(base="EUR", quote=currency, rate=rate, source="demo", as_of=now)

    def customer(self, n: int) -> Customer:
        first, last = self.rnd.choice(FIRST_NAMES), self.rnd.choice(LAST_NAMES)
        if self.rnd.random() < 0.3:
            first, last = self.fake.first_name(), self.fake.last_name()
        email = f"{first}.{last}.{n}@example.com".lower().replace(" ", "")
        made = customer_create(
            email=email, first_name=first, last_name=last, country="FR", phone=f"+336{n:08d}"
        )
        # Most senders went through identity checks; a few wait at tier 0.
        made.kyc_tier = self.rnd.choices([0, 1, 2, 3], [4, 10, 60, 26])[0]
        made.kyc_status = "verified" if made.kyc_tier else self.rnd.choice(["none", "pending"])
        made.save(update_fields=["kyc_tier", "kyc_status"])
        return made

    def recipient(
        self, sender: Customer, corridor: Corridor, suffix: str | None = None
    ) -> Recipient:
        country = corridor.destination_country
        return recipient_create(
            customer=sender,
            first_name=self.rnd.choice(FIRST_NAMES),
            last_name=self.rnd.choice(LAST_NAMES),
            country=country,
            phone=self.wallet_number(country, suffix),
            provider=self.rnd.choice(corridor.payout_providers),
        )

    def send_amount(self, corridor: Corridor) -> int:
        euros = min(max(round(self.rnd.lognormvariate(4.9, 0.8) / 5) * 5, 10), 2500)
        return max(euros * 100, corridor.min_send_minor)

    def family(self, sender: Customer, target: S) -> Recipient:
        """Senders mostly pay the same few people; a failed payout needs a closed wallet."""
        suffix = "00" if target == S.PAYOUT_FAILED else None
        known = self.address_book.setdefault((sender.pk, suffix), [])
        if not known or (len(known) < 3 and self.rnd.random() < 0.2):
            known.append(self.recipient(sender, self.rnd.choice(self.corridors), suffix))
        return self.rnd.choice(known)

    def transfer(self, sender: Customer, target: S) -> Transfer:
        to = self.family(sender, target)
        corridor = next(c for c in self.corridors if c.destination_country == to.country)
        quote = pricing.quote_create(
            customer=sender,
            corridor_code=corridor.code,
            send_amount_minor=self.send_amount(corridor),
            payout_provider=to.provider,
        )
        t = transfers.transfer_create(customer=sender, quote_id=quote.pk, recipient_id=to.pk)
        self.drive(t, target)
        return t

    def drive(self, t: Transfer, target: S) -> None:
        pk = t.pk
        if target == S.CREATED:
            return
        if target == S.CANCELLED:
            transfers.transfer_cancel(transfer_id=pk, reason="sender cancelled in the app")
            return
        if target == S.EXPIRED:
            Transfer.objects.filter(pk=pk).update(funding_deadline=timezone.now())
            transfers.transfer_expire(transfer_id=pk)
            return
        # Direct debits cannot be paid out for weeks: only those still waiting use them.
        by_debit = target in (S.FUNDING, S.FUNDED) and self.rnd.random() < 0.7
        if by_debit:
            transfers.transfer_mark_funding(
                transfer_id=pk, reason=f"direct debit pi_demo_{t.reference} processing"
            )
            if target == S.FUNDING:
                return
        funding_receive(
            payment_ref=f"pi_demo_{t.reference}",
            amount_minor=t.total_minor,
            currency=t.send_currency,
            transfer_reference=t.reference,
            method="sepa_debit" if by_debit else "bank_transfer",
        )
        if self.rnd.random() < 0.01:  # the sender's bank sent it twice
            funding_receive(
                payment_ref=f"pi_demo_{t.reference}_2",
                amount_minor=t.total_minor,
                currency=t.send_currency,
                transfer_reference=t.reference,
            )
        if target == S.FUNDED:
            return
        if target in (S.ON_HOLD, S.REFUNDED):
            transfers.transfer_hold(
                transfer_id=pk, reason=self.rnd.choice(HOLD_REASONS), via="compliance"
            )
            if target == S.REFUNDED:
                transfers.transfer_refund(
                    transfer_id=pk, reason="sender asked to cancel during review"
                )
                # The demo's payments never went through the Stripe simulator: settle at once.
                refund = Refund.objects.get(transfer_id=pk)
                refunds.refund_update(
                    reference=refund.reference, provider_ref=f"re_demo_{pk}", status="succeeded"
                )
            return
        transfers.transfer_run_checks(transfer_id=pk)
        if target == S.PAYOUT_PENDING:
            return
        attempt = payouts.payout_submit(pk)
        if target in (S.PAID_OUT,):
            payouts.payout_check(attempt.pk)

    def backdate(self, t: Transfer, days: int) -> None:
        """Spread history over the past weeks; the ledger keeps its booking dates."""
        delta = timedelta(days=self.rnd.uniform(0, days), minutes=self.rnd.randint(0, 600))
        Transfer.objects.filter(pk=t.pk).update(
            created_at=F("created_at") - delta,
            updated_at=F("updated_at") - delta,
            funding_deadline=F("funding_deadline") - delta,
            funded_at=F("funded_at") - delta,
            funds_final_at=F("funds_final_at") - delta,
            paid_out_at=F("paid_out_at") - delta,
        )
        TransferEvent.objects.filter(transfer_id=t.pk).update(created_at=F("created_at") - delta)
        PayoutAttempt.objects.filter(transfer_id=t.pk).update(
            created_at=F("created_at") - delta, updated_at=F("updated_at") - delta
        )
        Quote.objects.filter(pk=t.quote_id).update(
            created_at=F("created_at") - delta, expires_at=F("expires_at") - delta
        )


def seed(
    *,
    customers: int = 300,
    transfers_count: int = 2000,
    days: int = 60,
    seed: int = 7,
    progress=None,
) -> dict:
    seeder = Seeder(seed)
    seeder.ensure_rates()
    first_job = OrmQ.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    start = Customer.objects.count()
    with transaction.atomic():
        senders = [seeder.customer(start + i) for i in range(customers)]
    with writing_history():
        made = _seed_transfers(seeder, senders, transfers_count, days, progress)
    # The jobs the services queued were run inline above; drop them so the cluster starts idle.
    OrmQ.objects.filter(pk__gt=first_job).delete()
    return {"customers": customers, "transfers": made}


def _seed_transfers(seeder, senders, transfers_count, days, progress) -> int:
    statuses, weights = zip(*OUTCOMES, strict=True)
    verified = [c for c in senders if c.kyc_tier > 0]
    made = 0
    while made < transfers_count:
        with transaction.atomic():
            for _ in range(min(100, transfers_count - made)):
                target = seeder.rnd.choices(statuses, weights)[0]
                try:
                    t = seeder.transfer(seeder.rnd.choice(verified), target)
                except LimitExceeded:
                    continue  # that sender has sent enough this month: another one will

                if target not in (S.PAYOUT_PENDING, S.PAYOUT_SUBMITTED, S.FUNDED, S.CREATED):
                    seeder.backdate(t, days)
                made += 1
        if progress and made % 500 == 0 and made < transfers_count:
            progress(made)
    return made
