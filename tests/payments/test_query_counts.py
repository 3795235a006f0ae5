"""The hot write paths stay lean: a fixed, small number of round trips each.

Counts include the SAVEPOINT/RELEASE pair of each service's transaction (inside a test the
outer transaction is the test's; in production they are BEGIN/COMMIT).
"""

import pytest

from payments import payouts
from payments.pricing import quote_create
from payments.transfers import transfer_create, transfer_mark_funded, transfer_run_checks
from tests import factories as f

pytestmark = pytest.mark.usefixtures("corridors")


@pytest.fixture
def warm():
    """One transfer through its whole life, so the ledger accounts exist (steady state)."""
    f.funded_transfer()
    f.run_jobs()


def test_quote_transfer_and_funding_round_trips(warm, django_assert_num_queries):
    sender = f.customer()
    to = f.recipient(sender)
    # corridor, fee bands, the tier's limits with what was used, insert
    with django_assert_num_queries(6):
        q = quote_create(customer=sender, corridor_code="fr-sn", send_amount_minor=10_000)
    # sender (locked: limits hold under races), quote (locked, with its used flag), the tier's
    # limits with what was used, recipient, insert transfer, its history row, insert event
    with django_assert_num_queries(9):
        t = transfer_create(customer=sender, quote_id=q.pk, recipient_id=to.pk)
    # lock, event, update, history row, entry key, accounts, entry, postings, job
    with django_assert_num_queries(11):
        transfer_mark_funded(transfer_id=t.pk)
    # read with both parties for screening (outside the lock), which lists are loaded, the
    # monitoring rules and their three fact queries, then lock, event, update, history row,
    # entry key, accounts, entry, postings, job
    with django_assert_num_queries(17):
        transfer_run_checks(transfer_id=t.pk)
    # open the attempt (4 + savepoints), read the recipient, the sandbox's own insert (3),
    # then record the answer (6, the transfer's history row, savepoints)
    with django_assert_num_queries(19):
        payouts.payout_submit(t.pk)
