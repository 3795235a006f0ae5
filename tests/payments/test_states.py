"""The transfer state table (payments/states.py): every move it lists is allowed, every other
move raises IllegalTransition, and the terminal states have no way out."""

import itertools

import pytest

from payments.errors import DomainError, IllegalTransition
from payments.states import CONVERTED, HOLDING_FUNDS, NEXT, TERMINAL, ensure_can_move
from payments.states import TransferStatus as S

ALLOWED = sorted((a, b) for a, targets in NEXT.items() for b in targets)
FORBIDDEN = sorted(
    (a, b) for a, b in itertools.product(S, S) if b not in NEXT[a]
)  # includes every a -> a


def ids(pair):
    return f"{pair[0]}->{pair[1]}"


def test_the_table_lists_every_status_and_only_statuses():
    assert set(NEXT) == set(S)
    for targets in NEXT.values():
        assert targets <= set(S)


def test_the_table_is_the_documented_one():
    assert {a.value: sorted(b.value for b in NEXT[a]) for a in S} == {
        "created": ["cancelled", "expired", "funded", "funding"],
        "funding": ["cancelled", "funded"],
        "funded": ["on_hold", "payout_pending", "refunded"],
        "on_hold": ["payout_pending", "refunded"],
        "payout_pending": ["paid_out", "payout_failed", "payout_submitted", "refunded"],
        "payout_submitted": ["paid_out", "payout_failed"],
        "payout_failed": ["payout_pending", "refunded"],
        "paid_out": [],
        "refunded": [],
        "cancelled": [],
        "expired": [],
    }


@pytest.mark.parametrize("move", ALLOWED, ids=ids)
def test_every_listed_move_is_allowed(move):
    current, target = move
    assert ensure_can_move(current, target) is None
    assert ensure_can_move(current.value, target.value) is None  # as stored: plain strings


@pytest.mark.parametrize("move", FORBIDDEN, ids=ids)
def test_every_other_move_is_illegal(move):
    current, target = move
    with pytest.raises(IllegalTransition) as err:
        ensure_can_move(current.value, target.value)
    e = err.value
    assert isinstance(e, DomainError) and e.code == "illegal_transition"
    assert (e.current, e.target) == (current, target)
    assert str(e) == f"a transfer cannot move from {current} to {target}"


def test_allowed_and_forbidden_moves_cover_every_pair_once():
    assert len(ALLOWED) + len(FORBIDDEN) == len(S) ** 2
    assert not set(ALLOWED) & set(FORBIDDEN)


def test_no_status_moves_to_itself():
    for status, targets in NEXT.items():
        assert status not in targets


def test_terminal_states_have_no_exit():
    assert {S.PAID_OUT, S.REFUNDED, S.CANCELLED, S.EXPIRED} == TERMINAL
    for status in TERMINAL:
        assert NEXT[status] == frozenset()
        for target in S:
            with pytest.raises(IllegalTransition):
                ensure_can_move(status, target)


def test_nothing_moves_back_to_created():
    assert not any(S.CREATED in targets for targets in NEXT.values())


def reachable(start: S) -> set[S]:
    seen, todo = {start}, [start]
    while todo:
        for nxt in NEXT[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_every_status_is_reachable_from_created_and_can_end():
    assert reachable(S.CREATED) == set(S)
    for status in S:
        assert reachable(status) & TERMINAL, f"{status} can never end"


def test_converted_money_never_goes_back_to_holding_euros():
    for status in CONVERTED:
        assert not NEXT[status] & HOLDING_FUNDS
    assert not HOLDING_FUNDS & CONVERTED
    assert {S.PAID_OUT} == (HOLDING_FUNDS | CONVERTED) & TERMINAL


def test_unknown_status_is_not_silently_accepted():
    with pytest.raises(ValueError):
        ensure_can_move("created", "teleported")
    with pytest.raises(ValueError):
        ensure_can_move("limbo", "funded")
