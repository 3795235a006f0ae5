from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from payments.models import Corridor, FxRate


@pytest.fixture(autouse=True)
def in_database_payout_sandbox(settings):
    """Lifecycle tests drive the in-database sandbox; HTTP adapters are tested against their
    simulators by the tests that start one. Failover is off unless a test turns it on, so
    each test sees one provider's behaviour."""
    settings.PAYOUT_ADAPTERS = {}
    settings.PAYOUT_FAILOVER = False


@pytest.fixture
def corridors(db):
    """The corridors, fee bands and staff groups of fixtures/initial_data.json."""
    if not Corridor.objects.exists():
        call_command("loaddata", "fixtures/initial_data.json", verbosity=0)


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
