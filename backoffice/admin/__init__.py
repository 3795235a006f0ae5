from backoffice.admin import (  # noqa: F401 - registers the admins
    compliance,
    jobs,
    ledger,
    pricing,
    providers,
    transfers,
)
