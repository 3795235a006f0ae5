from backoffice.admin import (  # noqa: F401 - registers the admins
    jobs,
    ledger,
    pricing,
    providers,
    transfers,
)
