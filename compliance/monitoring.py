"""Transaction monitoring: the enabled rules, evaluated on a transfer before its payout.

Everything the sender-side rules need comes from one aggregate query over the sender's recent
transfers (conditional sums and counts per window), plus one for the wallet's other senders
and one for recently added recipients: three queries (and the rules themselves), whatever the
number of rules. Each rule
that fires becomes a `MonitoringAlert` with its evidence; when the scores add up to
MONITORING_HOLD_SCORE the transfer is held for an analyst.
"""

import threading
from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db.models import Avg, Count, Max, Q, Sum
from django.db.models.functions import Mod
from django.utils import timezone

from compliance.cases import case_file_alerts
from compliance.models import MonitoringAlert, MonitoringRule
from payments.models import Recipient, Transfer

NOT_COUNTED = ("cancelled", "expired")
DAY = timedelta(days=1)


def _facts(transfer, rules: dict, now, multiple: int) -> dict:
    """The sender's recent activity, in one query."""
    p = {code: rule.params for code, rule in rules.items()}

    def since(delta) -> Q:
        return Q(created_at__gte=now - delta)

    s = p.get("structuring", {})
    r = p.get("round-amounts", {})
    fan = p.get("fan-out", {})
    sent = (
        Transfer.objects.filter(customer_id=transfer.customer_id)
        .exclude(status__in=NOT_COUNTED)
        .annotate(round_remainder=Mod("send_amount_minor", multiple))
    )
    return sent.aggregate(
        count_day=Count("pk", filter=since(DAY)),
        count_week=Count("pk", filter=since(7 * DAY)),
        count_month=Count("pk", filter=since(30 * DAY)),
        sum_day=Sum("send_amount_minor", filter=since(DAY)),
        sum_week=Sum("send_amount_minor", filter=since(7 * DAY)),
        structuring=Count(
            "pk",
            filter=since(s.get("days", 7) * DAY)
            & Q(send_amount_minor__gte=s.get("low_minor", 0))
            & Q(send_amount_minor__lte=s.get("high_minor", 0)),
        ),
        round_count=Count(
            "pk",
            filter=since(r.get("days", 30) * DAY) & Q(send_amount_minor__gte=r.get("min_minor", 0))
            & Q(round_remainder=0),
        ),
        recipients=Count(
            "recipient_id", distinct=True, filter=since(fan.get("days", 7) * DAY)
        ),
        previous_at=Max("created_at", filter=~Q(pk=transfer.pk)),
        previous_average=Avg("send_amount_minor", filter=~Q(pk=transfer.pk)),
    )  # fmt: skip


# Each rule: (transfer, params, facts, now) -> evidence dict when it fires, else None.
Rule = Callable[..., dict | None]


def velocity_count(t, p, f, now):
    if f["count_day"] >= p["day"] or f["count_week"] >= p["week"] or f["count_month"] >= p["month"]:
        return {"24h": f["count_day"], "7d": f["count_week"], "30d": f["count_month"]}
    return None


def velocity_amount(t, p, f, now):
    day, week = f["sum_day"] or 0, f["sum_week"] or 0
    if day >= p["day_minor"] or week >= p["week_minor"]:
        return {"sent_24h_minor": day, "sent_7d_minor": week}
    return None


def structuring(t, p, f, now):
    return {"just_below": f["structuring"]} if f["structuring"] >= p["count"] else None


def round_amounts(t, p, f, now):
    return {"round_transfers": f["round_count"]} if f["round_count"] >= p["count"] else None


def fan_out(t, p, f, now):
    return {"recipients": f["recipients"]} if f["recipients"] >= p["recipients"] else None


def fan_in(t, p, f, now):
    senders = (
        Transfer.objects.filter(
            payout_msisdn=t.payout_msisdn, created_at__gte=now - p["days"] * DAY
        )
        .exclude(status__in=NOT_COUNTED)
        .aggregate(n=Count("customer_id", distinct=True))["n"]
    )
    return {"wallet_senders": senders} if senders >= p["senders"] else None


def new_account_high(t, p, f, now):
    age = now - t.customer.created_at
    if age > p["account_days"] * DAY:
        return None
    first_week = f["sum_week"] or 0 if age <= 7 * DAY else 0
    if t.send_amount_minor >= p["single_minor"] or first_week >= p["first_week_minor"]:
        return {"account_days": age.days, "amount_minor": t.send_amount_minor}
    return None


def high_risk_country(t, p, f, now):
    country = t.corridor.destination_country
    if country not in p["countries"]:
        return None
    large = t.send_amount_minor > p["large_minor"] and t.customer.kyc_tier <= 1
    return {"country": country, "large_at_tier_1": large, "extra": p["large_score"] * large}


def dormant_then_active(t, p, f, now):
    """Back after a long silence with a large or unusual amount (the average stands in for
    the median of NOTES.md 4.2: one aggregate, no sort)."""
    if f["previous_at"] is None or now - f["previous_at"] < p["dormant_days"] * DAY:
        return None
    usual = f["previous_average"] or 0
    if t.send_amount_minor >= p["large_minor"] or t.send_amount_minor >= p["times_usual"] * usual:
        return {"silent_days": (now - f["previous_at"]).days, "usual_minor": int(usual)}
    return None


def recipients_added(t, p, f, now):
    added = Recipient.objects.filter(
        customer_id=t.customer_id, created_at__gte=now - timedelta(hours=p["hours"])
    ).count()
    return {"recipients_added": added} if added >= p["count"] else None


RULES: dict[str, Rule] = {
    "velocity-count": velocity_count,
    "velocity-amount": velocity_amount,
    "structuring": structuring,
    "fan-in": fan_in,
    "fan-out": fan_out,
    "new-account-high": new_account_high,
    "high-risk-country": high_risk_country,
    "round-amounts": round_amounts,
    "recipients-added": recipients_added,
    "dormant-then-active": dormant_then_active,
}


_bulk = threading.local()


@contextmanager
def writing_history():
    """While past transfers are written in bulk (demo seeding), they are not monitored: made
    in one minute and dated afterwards, they would look like a velocity pattern they are not."""
    _bulk.active = True
    try:
        yield
    finally:
        _bulk.active = False


def evaluate(transfer, *, now=None) -> list[MonitoringAlert]:
    """Run the enabled rules on a transfer; record (once per rule) and return what fired."""
    if getattr(_bulk, "active", False):
        return []
    now = now or timezone.now()
    rules = {r.code: r for r in MonitoringRule.objects.filter(enabled=True) if r.code in RULES}
    if not rules:
        return []
    multiple = rules["round-amounts"].params["multiple_minor"] if "round-amounts" in rules else 1
    facts = _facts(transfer, rules, now, multiple)
    alerts = []
    for code, rule in rules.items():
        evidence = RULES[code](transfer, rule.params, facts, now)
        if evidence is None:
            continue
        score = rule.score + int(evidence.pop("extra", 0))
        alert, _ = MonitoringAlert.objects.get_or_create(
            rule=rule,
            transfer=transfer,
            defaults={"customer_id": transfer.customer_id, "score": score, "evidence": evidence},
        )
        alerts.append(alert)
    case_file_alerts(alerts)
    return alerts


def monitoring_hold_reason(transfer) -> str | None:
    alerts = evaluate(transfer)
    total = sum(a.score for a in alerts)
    if total < settings.MONITORING_HOLD_SCORE:
        return None
    fired = ", ".join(sorted(a.rule.code for a in alerts))
    return f"monitoring score {total} ({fired}): to review"[:200]


def monitoring_batch(*, hours: int = 24, now=None) -> int:
    """The daily pass over history: every transfer of the last `hours` is evaluated again with
    the rules as they are now (alerts are recorded once per rule and transfer)."""
    now = now or timezone.now()
    recent = (
        Transfer.objects.select_related("customer", "corridor")
        .filter(created_at__gte=now - timedelta(hours=hours))
        .exclude(status__in=NOT_COUNTED)
    )
    return sum(len(evaluate(t, now=now)) for t in recent.iterator(500))
