from backoffice.admin import (  # noqa: F401 - registers the admins
    cases,
    compliance,
    exports,
    jobs,
    ledger,
    pricing,
    providers,
    reconciliation,
    transfers,
)
