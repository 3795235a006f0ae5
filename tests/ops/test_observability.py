"""Health, metrics, request ids and log redaction."""

import json
import logging
from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import OrmQ

from config.log_redaction import redact
from config.request_id import RequestIdFilter
from payments.models import FxRate
from tests import factories as f

pytestmark = pytest.mark.usefixtures("corridors")


def test_health_says_what_is_late(client):
    answer = client.get("/health/")
    assert answer.status_code == 200
    body = answer.json()
    assert body["database"]["ok"] is True
    assert body["fx_rates"]["ok"] is False and body["status"] == "degraded"  # never refreshed
    FxRate.objects.create(base_currency="EUR", quote_currency="GHS", rate="16.42", source="t",
                          as_of=timezone.now())  # fmt: skip
    assert client.get("/health/").json()["status"] == "ok"
    OrmQ.objects.create(key="moneybridge", payload="x", lock=timezone.now() - timedelta(hours=1))
    late = client.get("/health/").json()
    assert late["queue"]["ok"] is False and late["queue"]["lag_seconds"] >= 3600
    assert late["status"] == "degraded"


def test_metrics_show_requests_and_transfers_by_status(client, settings):
    f.funded_transfer()
    client.get("/health/")
    text = client.get("/metrics").content.decode()
    assert 'mb_transfers{status="payout_pending"} 1.0' in text
    assert 'mb_http_requests_total{method="GET",route="health/",status="200"}' in text
    assert "mb_jobs_queued" in text
    settings.METRICS_TOKEN = "scrape-me"
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-me").status_code == 200


def test_every_response_carries_a_request_id_and_keeps_a_given_one(client):
    made = client.get("/health/")["X-Request-ID"]
    assert len(made) == 32
    given = client.get("/health/", HTTP_X_REQUEST_ID="req-abc-12345")["X-Request-ID"]
    assert given == "req-abc-12345"
    forged = client.get("/health/", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert forged != "<script>"


def test_log_lines_carry_no_secret_and_no_whole_number():
    line = redact(
        "Authorization: Bearer sk_live_abcdef123456 for awa.sow@example.com paying "
        "FR7630006000011234567890189 to +221771234557 with password=hunter2"
    )
    for secret in ("sk_live_abcdef123456", "awa.sow", "FR7630006000011234567890189",
                   "+221771234557", "hunter2"):  # fmt: skip
        assert secret not in line
    assert "…@example.com" in line and "+221…57" in line and "FR76…0189" in line


def test_json_log_lines_have_the_request_id(client):
    from config.logging import logging_config

    formatter_config = logging_config(json_lines=True, level="INFO")["formatters"]["default"]
    from pythonjsonlogger.json import JsonFormatter

    formatter = JsonFormatter(formatter_config["fmt"],
                              rename_fields=formatter_config["rename_fields"])  # fmt: skip
    record = logging.LogRecord("payments", logging.INFO, __file__, 1, "paid %s", ("MB-1",), None)
    RequestIdFilter().filter(record)
    line = json.loads(formatter.format(record))
    assert line["message"] == "paid MB-1" and line["level"] == "INFO" and "request_id" in line


def test_console_pages_carry_a_content_security_policy(client):
    answer = client.get("/admin/login/")
    policy = answer["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert answer["X-Frame-Options"] == "DENY" and answer["X-Content-Type-Options"] == "nosniff"
