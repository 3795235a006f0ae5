"""The transfer state machine as data. No Django, no I/O: every legal move is listed here.

created ──funds arrive──> funded ──checks pass──> payout_pending ──> payout_submitted ──> paid_out
   │                        │  └──> on_hold ──release──┘   │              │
   └─> cancelled/expired    └──> refunded  └──> refunded   └──> payout_failed <┘
                                                              │  └─retry─> payout_pending
                                                              └──> refunded
"""

from enum import StrEnum

from payments.errors import IllegalTransition


class TransferStatus(StrEnum):
    CREATED = "created"
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
    S.CREATED: frozenset({S.FUNDED, S.CANCELLED, S.EXPIRED}),
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
HOLDING_FUNDS = frozenset({S.FUNDED, S.ON_HOLD})
# Statuses in which the euros have been converted into the payout currency.
CONVERTED = frozenset({S.PAYOUT_PENDING, S.PAYOUT_SUBMITTED, S.PAYOUT_FAILED, S.PAID_OUT})


def ensure_can_move(current: str, target: str) -> None:
    if TransferStatus(target) not in NEXT[TransferStatus(current)]:
        raise IllegalTransition(TransferStatus(current), TransferStatus(target))
