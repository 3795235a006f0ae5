"""FX sources over real HTTP against the loopback simulator, and the refresh that stores them."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from payments.errors import RateUnavailable
from payments.fx import fx_refresh
from payments.models import FxRate
from payments.pricing import quote_create
from providers import fx, http
from providers.models import ProviderCall
from providers.sandboxes import fx as fx_sandbox
from tests import factories as f

pytestmark = pytest.mark.usefixtures("corridors")

ECB_SAMPLE = b"""<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01"
                 xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
  <gesmes:subject>Reference rates</gesmes:subject>
  <Cube><Cube time="2024-06-28">
      <Cube currency="USD" rate="1.0705"/><Cube currency="ZAR" rate="19.4970"/>
  </Cube></Cube></gesmes:Envelope>"""


@pytest.fixture
def sandbox(settings, serve):
    base = serve(fx_sandbox.app)
    settings.FX_API_BASE_URL = base
    settings.FX_ECB_URL = f"{base}/stats/eurofxref/eurofxref-daily.xml"
    settings.FX_API_KEY = "key-s3cret-42"
    yield fx_sandbox.SCENARIO
    fx_sandbox.SCENARIO["name"] = "ok"


def test_ecb_feed_is_parsed_with_its_namespace_and_publication_time():
    rates = fx.parse_ecb(ECB_SAMPLE)
    assert rates["USD"].rate == Decimal("1.0705") and rates["ZAR"].rate == Decimal("19.4970")
    assert rates["USD"].as_of == datetime(2024, 6, 28, 14, 0, tzinfo=UTC)  # 16:00 CEST


@pytest.mark.parametrize(
    "body", [b"<not xml", b"<Envelope/>", ECB_SAMPLE.replace(b"1.0705", b"-1")]
)
def test_unusable_ecb_feeds_are_refused(body):
    with pytest.raises(fx.RateSourceError):
        fx.parse_ecb(body)


def test_exchangerate_api_error_body_is_refused():
    with pytest.raises(fx.RateSourceError, match="invalid-key"):
        fx.parse_exchangerate_api({"result": "error", "error-type": "invalid-key"})


def test_refresh_stores_the_floating_rates_once_and_quotes_use_them(sandbox):
    report = fx_refresh()
    assert report["stored"] == ["GHS", "GNF"] and not report["missing"]
    ghs = FxRate.objects.get(quote_currency="GHS")
    assert ghs.source == "exchangerate_api" and ghs.rate == Decimal("16.4210")
    assert not FxRate.objects.filter(quote_currency__in=["XOF", "XAF"]).exists()  # pegged
    assert fx_refresh()["unchanged"] == ["GHS", "GNF"]
    assert FxRate.objects.count() == 2
    q = quote_create(
        customer=f.customer(), corridor_code="fr-gh", send_amount_minor=10_000,
        payout_provider="mtn_momo",
    )  # fmt: skip
    assert q.rate_source == "exchangerate_api" and q.receive_currency == "GHS"


def test_every_call_is_recorded_without_the_api_key(sandbox):
    fx_refresh()
    call = ProviderCall.objects.get(provider="exchangerate_api")
    assert call.outcome == "ok" and call.status_code == 200 and call.operation == "rates"
    assert "key-s3cret-42" not in call.url and "***" in call.url
    assert "16.421" in call.response_body


def test_primary_down_falls_back_to_the_ecb_for_what_it_has(sandbox):
    sandbox["name"] = "5xx"
    rates = fx.fetch_rates({"USD", "GHS"}, ["exchangerate_api", "ecb"])
    assert rates == {}  # the simulator's switch affects both feeds
    sandbox["name"] = "ok"
    rates = fx.fetch_rates({"USD", "GHS"}, ["ecb", "exchangerate_api"])
    assert rates["USD"].source == "ecb" and rates["GHS"].source == "exchangerate_api"
    outcomes = set(ProviderCall.objects.values_list("provider", "outcome"))
    assert ("exchangerate_api", "http_503") in outcomes and ("ecb", "ok") in outcomes


@pytest.mark.parametrize("scenario", ["5xx", "malformed", "error"])
def test_a_broken_feed_stores_nothing_and_reports_the_gap(sandbox, scenario):
    sandbox["name"] = scenario
    report = fx_refresh()
    assert report["missing"] == ["GHS", "GNF"] and not FxRate.objects.exists()


def test_a_stale_publication_is_stored_but_refuses_to_quote(sandbox):
    sandbox["name"] = "stale"
    fx_refresh()
    with pytest.raises(RateUnavailable, match="stale"):
        quote_create(
            customer=f.customer(), corridor_code="fr-gh", send_amount_minor=10_000,
            payout_provider="mtn_momo",
        )  # fmt: skip


def test_a_rate_that_jumps_too_far_is_refused(sandbox):
    FxRate.objects.create(
        base_currency="EUR", quote_currency="GHS", rate=Decimal("10"), source="x",
        as_of=datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    report = fx_refresh()
    assert report["refused"] == ["GHS"] and report["stored"] == ["GNF"]
    assert FxRate.objects.filter(quote_currency="GHS").count() == 1


def test_redaction_hides_secrets_and_keeps_only_the_end_of_personal_data():
    body = b'{"client_secret": "abc", "payee": {"partyId": "22177123456", "name": "Awa Sow"}}'
    redacted = http.redact_body(body, secrets=("abc",))
    assert "abc" not in redacted and "22177123456" not in redacted and "Awa Sow" not in redacted
    assert "…456" in redacted


def test_http_client_loggers_are_quiet_so_urls_with_keys_stay_out_of_logs():
    import logging

    for name in ("httpx", "httpcore"):
        assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING
