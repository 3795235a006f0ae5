"""Provider code -> adapter. Until the real adapters are wired every code is the sandbox."""

from functools import cache

from providers.base import PayoutProvider

PAYOUT_PROVIDERS = ("wave", "orange_money", "mtn_momo")


@cache
def get_provider(code: str) -> PayoutProvider:
    if code not in PAYOUT_PROVIDERS:
        raise KeyError(f"unknown payout provider {code!r}")
    from providers.sandbox import SandboxProvider

    return SandboxProvider(code)
