"""Provider code -> adapter. Until the real adapters are wired every code is the sandbox."""

from django.conf import settings

from providers.base import PayoutProvider
from providers.errors import ProviderConfigError

PAYOUT_PROVIDERS = ("wave", "orange_money", "mtn_momo")


def get_provider(code: str) -> PayoutProvider:
    if code not in PAYOUT_PROVIDERS:
        raise ProviderConfigError(f"unknown payout provider {code!r}", code="unknown_provider")
    if not settings.SANDBOX_PROVIDERS:
        raise ProviderConfigError(f"no live adapter is configured for {code}", code="no_adapter")
    from providers.sandbox import SandboxProvider

    return SandboxProvider(code)
