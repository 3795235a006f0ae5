"""What staff may do to a transfer from the console, each through its service function.

Each action is a posted form with a reason, allowed by one permission, and leaves an event on
the transfer's timeline (the services write it). None re-runs a job with old arguments: a
retry asks the state machine for a new attempt. Bulk actions show a preview of what each
selected transfer would do before anything is written.
"""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from payments import payouts, transfers
from payments.errors import DomainError
from payments.models import PayoutAttempt, Transfer
from payments.states import NEXT
from payments.states import TransferStatus as S


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    text = forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class RetryForm(ReasonForm):
    provider = forms.CharField(
        max_length=20, required=False, help_text=_("Empty: the same provider")
    )
    msisdn = forms.CharField(
        max_length=20,
        required=False,
        help_text=_("A corrected wallet number, if the sender gave one"),
    )


class ResolveForm(ReasonForm):
    outcome = forms.ChoiceField(choices=[(k, k.replace("_", " ")) for k in payouts.RESOLUTIONS])


@dataclass(frozen=True)
class Action:
    label: str
    permission: str
    form: type[forms.Form]
    statuses: frozenset  # where it makes sense (the service checks again under its lock)
    variant: str = "primary"


def _refundable() -> frozenset:
    return frozenset(s for s, nxt in NEXT.items() if S.REFUNDED in nxt)


ACTIONS: dict[str, Action] = {
    "hold": Action(_("Hold"), "payments.hold_transfer", ReasonForm, frozenset({S.FUNDED}),
                   "warning"),
    "release": Action(_("Release to payout"), "payments.hold_transfer", ReasonForm,
                      frozenset({S.ON_HOLD}), "success"),
    "retry": Action(_("Retry the payout"), "payments.retry_payout", RetryForm,
                    frozenset({S.PAYOUT_FAILED}), "success"),
    "cancel": Action(_("Cancel"), "payments.cancel_transfer", ReasonForm,
                     frozenset({S.CREATED}), "danger"),
    "refund": Action(_("Refund the sender"), "payments.refund_transfer", ReasonForm,
                     _refundable(), "danger"),
    "resolve": Action(_("Settle the open attempt by hand"), "payments.resolve_payout",
                      ResolveForm, frozenset({S.PAYOUT_PENDING, S.PAYOUT_SUBMITTED}), "warning"),
    "note": Action(_("Add a note"), "payments.note_transfer", NoteForm, frozenset(S)),
}  # fmt: skip


def run(name: str, transfer_id: int, data: dict, actor) -> None:
    """Hand one action to its service (which locks, checks, writes the event)."""
    who = {"actor": actor}
    if name == "hold":
        transfers.transfer_hold(transfer_id=transfer_id, reason=data["reason"], **who)
    elif name == "release":
        transfers.transfer_release(transfer_id=transfer_id, reason=data["reason"], **who)
    elif name == "retry":
        transfers.transfer_retry_payout(
            transfer_id=transfer_id, reason=data["reason"], provider=data.get("provider") or None,
            msisdn=data.get("msisdn") or None, **who,
        )  # fmt: skip
    elif name == "cancel":
        transfers.transfer_cancel(transfer_id=transfer_id, reason=data["reason"], via="staff",
                                  **who)  # fmt: skip
    elif name == "refund":
        transfers.transfer_refund(transfer_id=transfer_id, reason=data["reason"], **who)
    elif name == "resolve":
        attempt = PayoutAttempt.objects.filter(
            transfer_id=transfer_id, status__in=PayoutAttempt.OPEN
        ).first()
        if attempt is None:
            raise DomainError("this transfer has no open payout attempt")
        payouts.payout_resolve(attempt_id=attempt.pk, outcome=data["outcome"],
                               reason=data["reason"], **who)  # fmt: skip
    elif name == "note":
        transfers.transfer_add_note(transfer_id=transfer_id, text=data["text"], **who)
    else:
        raise DomainError(f"unknown action {name!r}")


def available(transfer: Transfer, user) -> list[tuple[str, Action]]:
    return [
        (name, action)
        for name, action in ACTIONS.items()
        if transfer.status in action.statuses and user.has_perm(action.permission)
    ]


# --- Bulk --------------------------------------------------------------------------------------


def preview(name: str, selected) -> list[tuple[Transfer, str | None]]:
    """What each selected transfer would do: None when it would go, else why it would not."""
    from compliance.facade import release_blocker

    rows = []
    for transfer in selected.select_related("customer", "recipient"):
        why = None
        if transfer.status not in ACTIONS[name].statuses:
            why = _("is %(status)s") % {"status": transfer.get_status_display()}
        elif name == "release":
            if not transfers.funds_final(transfer):
                why = _("funds not final yet")
            else:
                why = release_blocker(transfer)
        rows.append((transfer, why))
    return rows


def run_bulk(name: str, ids: list[int], reason: str, actor) -> tuple[int, list[str]]:
    """Apply the action to each transfer on its own (one refusal stops nobody else)."""
    done, refused = 0, []
    for transfer_id in ids:
        try:
            run(name, transfer_id, {"reason": reason}, actor)
            done += 1
        except DomainError as why:
            reference = Transfer.objects.values_list("reference", flat=True).get(pk=transfer_id)
            refused.append(f"{reference}: {why}")
    return done, refused
