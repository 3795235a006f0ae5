"""The transfer state machine as data. No Django, no I/O: every legal move is listed here.

created ──funds arrive──> funded ──checks pass──> payout_pending ──> payout_submitted ──> paid_out
   │  └─> funding ─┘        │  └──> on_hold ──release──┘   │              │
   │      (direct debit     └──> refunded  └──> refunded   └──> payout_failed <┘
   │       in progress)                                       │  └─retry─> payout_pending
   └─> cancelled/expired (also from funding: debit failed)    └──> refunded

`funding` is a SEPA Direct Debit Stripe has accepted but not yet collected (days): the
transfer cannot expire meanwhile, and a failed debit cancels it. A funded transfer waits in
`funded` until its funds are final (`Transfer.funds_final_at`) before checks send it on.
"""

from enum import StrEnum

from payments.errors import IllegalTransition


class TransferStatus(StrEnum):
    CREATED = "created"
    FUNDING = "funding"
    FUNDED = "funded"
    ON_HOLD = "on_hold"
    PAYOUT_PENDING = "payout_pending"
    PAYOUT_SUBMITTED = "payout_submitted"
    PAID_OUT = "paid_out"
    PAYOUT_FAILED = "payout_failed"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


S = TransferStatus

NEXT: dict[TransferStatus, frozenset[TransferStatus]] = {
    S.CREATED: frozenset({S.FUNDING, S.FUNDED, S.CANCELLED, S.EXPIRED}),
    S.FUNDING: frozenset({S.FUNDED, S.CANCELLED}),
    S.FUNDED: frozenset({S.PAYOUT_PENDING, S.ON_HOLD, S.REFUNDED}),
    S.ON_HOLD: frozenset({S.PAYOUT_PENDING, S.REFUNDED}),
    S.PAYOUT_PENDING: frozenset({S.PAYOUT_SUBMITTED, S.PAYOUT_FAILED, S.PAID_OUT, S.REFUNDED}),
    S.PAYOUT_SUBMITTED: frozenset({S.PAID_OUT, S.PAYOUT_FAILED}),
    S.PAYOUT_FAILED: frozenset({S.PAYOUT_PENDING, S.REFUNDED}),
    S.PAID_OUT: frozenset(),
    S.REFUNDED: frozenset(),
    S.CANCELLED: frozenset(),
    S.EXPIRED: frozenset(),
}

TERMINAL = frozenset(s for s, nxt in NEXT.items() if not nxt)
# Statuses in which the sender's euros have been received and not yet returned or paid out.
# Statuses in which the sender's money may still arrive.
AWAITING_FUNDS = frozenset({S.CREATED, S.FUNDING})
HOLDING_FUNDS = frozenset({S.FUNDED, S.ON_HOLD})
# Statuses in which the euros have been converted into the payout currency.
CONVERTED = frozenset({S.PAYOUT_PENDING, S.PAYOUT_SUBMITTED, S.PAYOUT_FAILED, S.PAID_OUT})


def ensure_can_move(current: str, target: str) -> None:
    if TransferStatus(target) not in NEXT[TransferStatus(current)]:
        raise IllegalTransition(TransferStatus(current), TransferStatus(target))
