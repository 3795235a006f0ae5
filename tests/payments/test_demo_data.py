"""The demo's seeded history goes through the real services, so it must tie like real data."""

import pytest

from payments.demo_data import seed
from payments.models import IncomingPayment, Refund, Transfer
from payments.states import TransferStatus as S

pytestmark = pytest.mark.usefixtures("corridors")


def test_seeded_history_covers_both_funding_methods_and_settled_refunds(db):
    assert seed(customers=20, transfers_count=300, seed=3) == {"customers": 20, "transfers": 300}
    statuses = set(Transfer.objects.values_list("status", flat=True))
    assert {S.PAID_OUT, S.FUNDING, S.REFUNDED} <= statuses
    waiting = Transfer.objects.filter(status=S.FUNDED, funding_method="sepa_debit")
    assert all(t.funds_final_at > t.funded_at for t in waiting)
    assert IncomingPayment.objects.filter(method="sepa_debit").exists()
    refunded = Transfer.objects.filter(status=S.REFUNDED).count()
    assert Refund.objects.filter(status="succeeded").count() == refunded
    # The ledger ties: the autouse check in tests/payments/conftest.py runs after this test.
