"""Prometheus metrics at `/metrics`.

Requests are counted in each process (with PROMETHEUS_MULTIPROC_DIR set, as under several
gunicorn workers, the processes' files are added up). Business figures (transfers by status,
jobs, provider calls) are read from the database at scrape time, so every web server shows the
same numbers whichever process answers. METRICS_TOKEN, when set, must come as a bearer token.
"""

import hmac
import os
import time
from datetime import timedelta

from django.conf import settings
from django.db.models import Avg, Count, Q
from django.http import HttpResponse, HttpResponseForbidden
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

REQUESTS = Counter("mb_http_requests", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("mb_http_request_seconds", "HTTP request duration", ["route"],
                    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))  # fmt: skip


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = match.route if match and match.route else "unmatched"  # the pattern: few values
        REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        LATENCY.labels(route).observe(time.perf_counter() - started)
        return response


class BusinessCollector:
    """Figures read from the database when Prometheus scrapes."""

    def collect(self):
        from django_q.models import Failure, OrmQ

        from payments.models import Transfer
        from providers.models import ProviderCall

        by_status = GaugeMetricFamily("mb_transfers", "Transfers by status", labels=["status"])
        for status, n in Transfer.objects.values_list("status").annotate(n=Count("pk")).order_by():
            by_status.add_metric([status], n)
        yield by_status
        yield GaugeMetricFamily("mb_jobs_queued", "Jobs waiting", value=OrmQ.objects.count())
        yield GaugeMetricFamily("mb_jobs_failed", "Failed jobs kept by django-q2",
                                value=Failure.objects.count())  # fmt: skip
        since = timezone.now() - timedelta(minutes=5)
        calls = GaugeMetricFamily("mb_provider_calls_5m", "Provider calls, last 5 minutes",
                                  labels=["provider", "result"])  # fmt: skip
        latency = GaugeMetricFamily("mb_provider_latency_ms_5m",
                                    "Mean provider call latency, last 5 minutes",
                                    labels=["provider"])  # fmt: skip
        rows = (
            ProviderCall.objects.filter(created_at__gte=since)
            .values("provider")
            .annotate(ok=Count("pk", filter=Q(outcome="ok")),
                      errors=Count("pk", filter=~Q(outcome="ok")), ms=Avg("latency_ms"))
        )  # fmt: skip
        for row in rows:
            calls.add_metric([row["provider"], "ok"], row["ok"])
            calls.add_metric([row["provider"], "error"], row["errors"])
            latency.add_metric([row["provider"]], row["ms"] or 0)
        yield calls
        yield latency


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in (REQUESTS, LATENCY):
            registry.register(collector)
    registry.register(BusinessCollector())
    return registry


def metrics(request):
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if not hmac.compare_digest(given, token):
            return HttpResponseForbidden("metrics need the bearer token")
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
