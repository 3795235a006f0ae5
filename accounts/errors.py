from payments.errors import DomainError


class NotAuthenticated(DomainError):
    """Wrong credentials, or a token that is unknown, expired or revoked (HTTP 401)."""

    code = "not_authenticated"


class AlreadyRegistered(DomainError):
    code = "email_taken"


class InvalidProfile(DomainError):
    code = "invalid_profile"
