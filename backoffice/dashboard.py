"""The console's home page: the state of the business for a chosen period, at a glance.

Every figure comes from an indexed aggregate over the period (never a sum over the whole
ledger), and the whole page is cached for a minute per period, so opening the console stays
fast at millions of transfers. Every number links to the filtered list behind it.
"""

import json
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_q.models import Failure, OrmQ

from compliance.models import Case, KycDocument, MonitoringAlert, ScreeningHit
from payments.models import IncomingPayment, PayoutAttempt, Transfer
from payments.money import display
from payments.payouts import attempts_needing_a_person
from payments.states import TransferStatus as S
from payments.stuck import stuck_condition
from payments.treasury import available_float
from providers.models import ProviderBalance
from reconciliation.models import ReconItem
from reconciliation.services import OPEN_RESULTS

PERIODS = {"1d": (_("Last 24 hours"), 1), "7d": (_("Last 7 days"), 7),
           "30d": (_("Last 30 days"), 30), "90d": (_("Last 90 days"), 90)}  # fmt: skip
CACHE_SECONDS = 60
A = PayoutAttempt.Status


def environment_callback(request):
    if settings.DEBUG or settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return ["Demo", "warning"]
    return None


def _list(model: str, **params) -> str:
    return reverse(f"admin:{model}_changelist") + ("?" + urlencode(params) if params else "")


def _transfers(**params) -> str:
    return _list("payments_transfer", **params)


def _median_payout_minutes(since) -> dict[str, float]:
    """Per provider, the median time from funded to paid out (PostgreSQL computes it; the demo's
    SQLite gets it in Python over its few rows)."""
    paid = Transfer.objects.filter(status=S.PAID_OUT, paid_out_at__gte=since,
                                   funded_at__isnull=False)  # fmt: skip
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT payout_provider, percentile_cont(0.5) WITHIN GROUP ("
                " ORDER BY EXTRACT(EPOCH FROM paid_out_at - funded_at)) / 60"
                " FROM payments_transfer WHERE status = %s AND paid_out_at >= %s"
                " AND funded_at IS NOT NULL GROUP BY 1",
                [S.PAID_OUT.value, since],
            )
            return {provider: float(minutes) for provider, minutes in cursor.fetchall()}
    by_provider: dict[str, list[float]] = {}
    for provider, funded, paid_out in paid.values_list("payout_provider", "funded_at",
                                                       "paid_out_at"):  # fmt: skip
        by_provider.setdefault(provider, []).append((paid_out - funded).total_seconds() / 60)
    return {p: sorted(v)[len(v) // 2] for p, v in by_provider.items()}


def _by(since, *fields: str) -> list[dict]:
    paid = Q(status=S.PAID_OUT)
    rows = (
        Transfer.objects.filter(created_at__gte=since)
        .values(*fields)
        .annotate(
            created=Count("pk"),
            paid=Count("pk", filter=paid),
            failed=Count("pk", filter=Q(status=S.PAYOUT_FAILED)),
            sent=Sum("send_amount_minor", filter=paid),
        )
        .order_by(*fields)
    )
    return list(rows)


def _float_rows(since_day) -> list[dict]:
    rows = []
    paid_today = {
        (r["provider"], r["transfer__receive_currency"]): r["s"]
        for r in PayoutAttempt.objects.filter(status=A.SUCCEEDED, created_at__gte=since_day)
        .values("provider", "transfer__receive_currency")
        .annotate(s=Sum("transfer__receive_amount_minor"))
    }
    for balance in ProviderBalance.objects.all():
        available = available_float(balance.provider, balance.country, balance.currency)
        day = paid_today.get((balance.provider, balance.currency), 0)
        rows.append({
            "provider": balance.provider, "country": balance.country,
            "link": _list("providers_providerbalance", provider__exact=balance.provider),
            "available": display(available, balance.currency) if available is not None
            else _("unknown (no recent reading)"),
            "reported_at": balance.as_of, "error": balance.error,
            # Low: less left than the last 24 hours paid out through this wallet.
            "low": available is not None and (available < 0 or (day and available < day)),
        })  # fmt: skip
    return rows


def dashboard_data(period: str, *, now=None) -> dict:
    now = now or timezone.now()
    label, days = PERIODS[period]
    since = now - timedelta(days=days)
    start = since.date().isoformat()
    corridors = _by(since, "corridor_id", "corridor__code")
    providers = _by(since, "payout_provider")
    attempts = {
        r["provider"]: r
        for r in PayoutAttempt.objects.filter(created_at__gte=since,
                                              status__in=[A.SUCCEEDED, A.FAILED])
        .values("provider")
        .annotate(ok=Count("pk", filter=Q(status=A.SUCCEEDED)), done=Count("pk"))
    }  # fmt: skip
    medians = _median_payout_minutes(since)
    for row in providers:
        got = attempts.get(row["payout_provider"], {"ok": 0, "done": 0})
        row["success_rate"] = round(100 * got["ok"] / got["done"], 1) if got["done"] else None
        row["median_minutes"] = medians.get(row["payout_provider"])
        row["link"] = _transfers(provider=row["payout_provider"],
                                 created_at_from=start)  # fmt: skip
    for row in corridors:
        row["link"] = _transfers(corridor__id__exact=row["corridor_id"], created_at_from=start)
    daily = (
        Transfer.objects.filter(status=S.PAID_OUT, paid_out_at__gte=since)
        .annotate(day=TruncDate("paid_out_at"))
        .values("day")
        .annotate(sent=Sum("send_amount_minor"), n=Count("pk"))
        .order_by("day")
    )
    chart = {
        "labels": [row["day"].isoformat() for row in daily],
        "datasets": [{"label": str(_("Paid out (EUR)")),
                      "data": [row["sent"] / 100 for row in daily]}],
    }  # fmt: skip
    rate_chart = {
        "labels": [row["payout_provider"] for row in providers],
        "datasets": [{"label": str(_("Payout success rate (%)")),
                      "data": [row["success_rate"] or 0 for row in providers]}],
    }  # fmt: skip
    stuck = Transfer.objects.filter(stuck_condition(now)).count()
    queues = [
        (_("Identity documents to review"),
         KycDocument.objects.filter(status=KycDocument.Status.PENDING).count(),
         _list("compliance_kycdocument", status__exact="pending")),
        (_("Screening hits to decide"),
         ScreeningHit.objects.filter(status=ScreeningHit.Status.OPEN).count(),
         _list("compliance_screeninghit", status__exact="open")),
        (_("Open monitoring alerts"),
         MonitoringAlert.objects.filter(status=MonitoringAlert.Status.OPEN).count(),
         _list("compliance_monitoringalert", status__exact="open")),
        (_("Open cases"), Case.objects.exclude(status=Case.Status.CLOSED).count(),
         _list("compliance_case")),
        (_("Held transfers"), Transfer.objects.filter(status=S.ON_HOLD).count(),
         _transfers(status__exact="on_hold")),
        (_("Failed payouts waiting for a person"),
         Transfer.objects.filter(status=S.PAYOUT_FAILED).count(),
         _transfers(status__exact="payout_failed")),
        (_("Stuck beyond their expected time"), stuck, _transfers(stuck="yes")),
        (_("Payouts the provider has not settled: check and settle by hand"),
         attempts_needing_a_person(now=now).count(),
         _list("payments_payoutattempt", needs_person="yes")),
        (_("Reconciliation items to resolve"),
         ReconItem.objects.filter(result__in=OPEN_RESULTS).count(),
         _list("reconciliation_reconitem", open="yes")),
        (_("Unmatched incoming payments"),
         IncomingPayment.objects.filter(status=IncomingPayment.Status.UNMATCHED).count(),
         _list("payments_incomingpayment", status__exact="unmatched")),
    ]  # fmt: skip
    failures = Failure.objects.filter(stopped__gte=now - timedelta(days=1)).count()
    totals = {
        "created": sum(r["created"] for r in corridors),
        "paid": sum(r["paid"] for r in corridors),
        "sent": display(sum(r["sent"] or 0 for r in corridors), "EUR"),
    }
    for row in (*corridors, *providers):
        row["sent_display"] = display(row["sent"] or 0, "EUR")
    return {
        "period": period, "period_label": label, "periods": PERIODS, "totals": totals,
        "corridors": corridors, "providers": providers, "queues": queues,
        "float_rows": _float_rows(now - timedelta(days=1)),
        "jobs": {"queued": OrmQ.objects.count(), "failures": failures,
                 "failures_link": _list("django_q_failure")},
        "chart": json.dumps(chart), "rate_chart": json.dumps(rate_chart),
        "created_link": _transfers(created_at_from=start),
        "paid_link": _transfers(status__exact="paid_out", created_at_from=start),
    }  # fmt: skip


def dashboard_callback(request, context):
    period = request.GET.get("period", "7d")
    period = period if period in PERIODS else "7d"
    key = f"dashboard:{period}:{request.LANGUAGE_CODE}"
    data = cache.get(key)
    if data is None:
        data = dashboard_data(period)
        cache.set(key, data, CACHE_SECONDS)
    context.update(data)
    return context
