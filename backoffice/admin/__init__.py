from backoffice.admin import jobs, ledger, pricing, transfers  # noqa: F401 - registers the admins
