"""Provider errors, classified by what the caller must do next."""


class ProviderError(Exception):
    def __init__(self, message: str, *, code: str = "", retry_after: float | None = None):
        super().__init__(message)
        self.code = code
        self.retry_after = retry_after


class RetryableError(ProviderError):
    """The provider certainly did not act: it is safe to try again later."""


class PermanentError(ProviderError):
    """The provider certainly refused: the payout failed, funds are still ours."""


class UnknownOutcomeError(ProviderError):
    """The provider may have acted: ask for the status, never send again."""


class ProviderConfigError(ProviderError):
    """Our own setup is wrong (credentials, URLs): page ops, do not fail transfers."""
