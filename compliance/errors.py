from payments.errors import DomainError, LimitExceeded

__all__ = ["FileTooLarge", "LimitExceeded", "UnsupportedFile"]


class FileTooLarge(DomainError):
    code = "file_too_large"


class UnsupportedFile(DomainError):
    code = "unsupported_file"
