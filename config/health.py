"""`/health/`: can this node serve, and is the business moving? For load balancers and the
on-call engineer.

- database: a round trip, timed. Down: the answer is 503 (take the node out).
- job queue: jobs waiting and how long the oldest has waited (the clusters' lag).
- FX rates: when the last rate arrived (the refresh runs every 30 minutes).
- providers: from the calls of the last 15 minutes (never a live call from here): how many,
  how many failed, the last outcome.
Anything late or failing makes the status "degraded" (still 200: the node itself can serve).
"""

import time
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Min, Q
from django.http import JsonResponse
from django.utils import timezone


def _database() -> dict:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _queue(now) -> dict:
    from django_q.models import OrmQ

    waiting = OrmQ.objects.filter(lock__lte=now).aggregate(n=Count("pk"), oldest=Min("lock"))
    lag = (now - waiting["oldest"]).total_seconds() if waiting["oldest"] else 0.0
    return {"waiting": waiting["n"], "lag_seconds": round(lag, 1),
            "ok": lag <= settings.HEALTH_QUEUE_LAG_SECONDS}  # fmt: skip


def _rates(now) -> dict:
    from payments.models import FxRate

    last = FxRate.objects.aggregate(at=Max("fetched_at"))["at"]
    age = (now - last).total_seconds() if last else None
    return {"last_refresh": last.isoformat() if last else None,
            "ok": age is not None and age <= settings.HEALTH_RATES_MAX_AGE_SECONDS}  # fmt: skip


def _providers(now) -> dict:
    from providers.models import ProviderCall

    recent = (
        ProviderCall.objects.filter(created_at__gte=now - timedelta(minutes=15))
        .values("provider")
        .annotate(calls=Count("pk"), failed=Count("pk", filter=~Q(outcome="ok")))
    )
    found = {}
    for row in recent:
        last = ProviderCall.objects.filter(provider=row["provider"]).order_by("-id").first()
        found[row["provider"]] = {
            "calls": row["calls"], "failed": row["failed"], "last_outcome": last.outcome,
            "ok": row["failed"] < row["calls"] or row["calls"] == 0,
        }  # fmt: skip
    return found


def health(request):
    now = timezone.now()
    try:
        database = _database()
    except Exception as exc:  # noqa: BLE001 - any failure here means "cannot serve"
        return JsonResponse({"status": "down", "database": {"ok": False, "error": str(exc)}},
                            status=503)  # fmt: skip
    checks = {"database": database, "queue": _queue(now), "fx_rates": _rates(now),
              "providers": _providers(now)}  # fmt: skip
    healthy = (checks["queue"]["ok"] and checks["fx_rates"]["ok"]
               and all(p["ok"] for p in checks["providers"].values()))  # fmt: skip
    return JsonResponse({"status": "ok" if healthy else "degraded", "time": now.isoformat(),
                         **checks})  # fmt: skip
