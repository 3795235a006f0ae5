from backoffice.admin import ledger, pricing, transfers  # noqa: F401 - registers the admins
