"""Provider code -> adapter. Until the real adapters are wired every code is the sandbox."""

from django.conf import settings
from django.utils.module_loading import import_string

from providers.base import PayoutProvider
from providers.errors import ProviderConfigError

PAYOUT_PROVIDERS = ("wave", "orange_money", "mtn_momo")


ADAPTERS = {
    "wave": "providers.wave.adapter.WaveProvider",
    "mtn_momo": "providers.mtn_momo.adapter.MtnMomoProvider",
    "orange_money": "providers.orange_money.adapter.OrangeMoneyProvider",
}


def get_provider(code: str) -> PayoutProvider:
    """The HTTP adapter where one exists and PAYOUT_ADAPTERS says "http" (its base URL points
    at the loopback simulator unless configured otherwise), else the in-database sandbox."""
    if code not in PAYOUT_PROVIDERS:
        raise ProviderConfigError(f"unknown payout provider {code!r}", code="unknown_provider")
    mode = settings.PAYOUT_ADAPTERS.get(code, "sandbox")
    if mode == "http" and code in ADAPTERS:
        return import_string(ADAPTERS[code])()
    if not settings.SANDBOX_PROVIDERS:
        raise ProviderConfigError(f"no live adapter is configured for {code}", code="no_adapter")
    from providers.sandbox import SandboxProvider

    return SandboxProvider(code)
