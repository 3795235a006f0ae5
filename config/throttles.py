"""Rate limits of the senders' API, read from settings on every request (so operators and
tests can change them without a restart). Counts live in the shared cache: the database by
default, Redis when REDIS_URL is set. ninja's counting is not atomic: this is abuse control,
not a security boundary (passwords are Argon2, tokens random)."""

from django.conf import settings
from ninja.throttling import AnonRateThrottle, AuthRateThrottle


class _FromSetting:
    setting = ""

    def __init__(self):
        super().__init__(getattr(settings, self.setting))

    def allow_request(self, request) -> bool:
        rate = getattr(settings, self.setting)
        if rate != self.rate:
            self.rate = rate
            self.num_requests, self.duration = self.parse_rate(rate)
        return super().allow_request(request)


class SignInThrottle(_FromSetting, AnonRateThrottle):
    """Register, sign-in and refresh: per client IP."""

    scope = "sign_in"
    setting = "API_THROTTLE_AUTH"


class SenderThrottle(_FromSetting, AuthRateThrottle):
    """Everything else: per signed-in sender."""

    scope = "sender"
    setting = "API_THROTTLE_USER"
