from backoffice.admin import (  # noqa: F401 - registers the admins
    cases,
    compliance,
    jobs,
    ledger,
    pricing,
    providers,
    transfers,
)
