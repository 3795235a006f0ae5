from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from compliance.rules import install_default_rules
from compliance.tiers import install_default_tiers
from payments.models import Corridor, FxRate
from providers.sandboxes import server
from providers.sandboxes.stripe import StripeSimulator

STRIPE_SECRET = "whsec_stripe_test"


@pytest.fixture(autouse=True)
def in_database_payout_sandbox(settings):
    """Lifecycle tests drive the in-database sandbox; HTTP adapters are tested against their
    simulators by the tests that start one. Failover is off unless a test turns it on, so
    each test sees one provider's behaviour."""
    settings.PAYOUT_ADAPTERS = {}
    settings.PAYOUT_FAILOVER = False
    settings.PROVIDER_CALLBACK_BASE = ""  # simulators call nobody back unless a test asks


@pytest.fixture
def corridors(db):
    """The corridors, fee bands and staff groups of fixtures/initial_data.json."""
    if not Corridor.objects.exists():
        call_command("loaddata", "fixtures/initial_data.json", verbosity=0)
    install_default_tiers()  # a transactional test's flush removed the migration's rows
    install_default_rules()


@pytest.fixture
def fresh_rates(corridors):
    """Current floating rates for the corridors that need them (XOF/XAF are pegged)."""
    now = timezone.now()
    for currency, rate in (("GHS", Decimal("16.4210")), ("GNF", Decimal("9350.25"))):
        FxRate.objects.create(
            base_currency="EUR",
            quote_currency=currency,
            rate=rate,
            source="test",
            as_of=now - timedelta(minutes=5),
        )


@pytest.fixture
def serve():
    """Start simulators on free loopback ports: `serve(app)` returns its base URL. All are
    stopped afterwards, and cached provider tokens never leak from one test to the next."""
    cache.clear()
    started = []

    def start(app) -> str:
        srv, _ = server.start(app)
        started.append(srv)
        return f"http://127.0.0.1:{srv.server_port}"

    yield start
    for srv in started:
        srv.shutdown()
        srv.server_close()
    cache.clear()


@pytest.fixture
def stripe_sim(settings, serve):
    """The Stripe simulator on a free port, the SDK pointed at it; the webhooks it would send
    are kept in `sim.sent` for the test to deliver (and settling happens at once)."""
    sent: list[dict] = []
    sim = StripeSimulator(
        api_key="sk_test_sim", webhook_secret=STRIPE_SECRET, webhook_url="", deliver=sent.append
    )
    settings.STRIPE_API_BASE = serve(sim)
    settings.STRIPE_SECRET_KEY = "sk_test_sim"
    settings.STRIPE_WEBHOOK_SECRET = STRIPE_SECRET
    sim.sent = sent
    return sim
