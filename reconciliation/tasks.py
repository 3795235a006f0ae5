"""Reconciliation's scheduled job (django-q2). Safe to run twice: a statement already fetched
unchanged is not imported again."""

import logging
from datetime import timedelta

from django.utils import timezone

from providers.errors import ProviderError
from providers.registry import PAYOUT_PROVIDERS
from reconciliation.services import statement_fetch

log = logging.getLogger(__name__)


def fetch_statements(day: str | None = None) -> dict[str, str]:
    """Yesterday's statement of every payout provider that offers one, reconciled; what is
    left open shows on the dashboard."""
    when = timezone.localdate() - timedelta(days=1)
    if day:
        when = timezone.datetime.fromisoformat(day).date()
    done = {}
    for provider in PAYOUT_PROVIDERS:
        try:
            statement = statement_fetch(provider=provider, day=when)
        except ProviderError as exc:
            log.warning("statement of %s for %s not fetched: %s", provider, when, exc)
            done[provider] = f"failed: {exc}"
            continue
        done[provider] = f"statement {statement.pk}" if statement else "nothing new"
    return done
