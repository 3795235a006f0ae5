"""Transfers late for their current step: what the dashboard counts and the list filters."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from payments.states import TransferStatus as S


def stuck_condition(now=None) -> Q:
    """Past STUCK_AFTER_MINUTES in their status. A funded transfer whose direct debit is still
    settling (funds not final) is waiting, not stuck."""
    now = now or timezone.now()
    condition = Q(pk__in=[])
    for status, minutes in settings.STUCK_AFTER_MINUTES.items():
        late = Q(status=status, updated_at__lt=now - timedelta(minutes=minutes))
        if status == S.FUNDED:
            late &= Q(funds_final_at__lte=now)
        condition |= late
    return condition
