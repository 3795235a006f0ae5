"""The console's roles, as code: each group holds exactly the permissions listed here.

Least privilege: compliance decides on identities, screening, alerts, cases and holds; support
finds and follows customers and transfers, retries and cancels, writes notes, sees identity
documents only as metadata and phone numbers partly masked, and decides no KYC; finance reads
transfers and works the ledger, reconciliation and exports; admin holds everything of the
project's apps and manages staff. Refunds and settling a payout by hand move money on a
person's word: admin only. A migration creates the groups; after every migrate they are set
back to this list (new permissions land where they belong, hand-made grants do not last).
"""

from django.apps import apps as global_apps

VIEW_TRANSFERS = [
    "payments.view_transfer", "payments.view_transferevent", "payments.view_payoutattempt",
    "payments.view_incomingpayment", "payments.view_refund", "providers.view_providercall",
    "providers.view_webhookevent",
]  # fmt: skip
VIEW_PEOPLE = ["payments.view_customer", "payments.view_recipient", "compliance.view_kycdocument"]

ROLES: dict[str, list[str]] = {
    "compliance": [
        *VIEW_TRANSFERS, *VIEW_PEOPLE,
        "payments.hold_transfer", "payments.note_transfer", "payments.view_full_phone",
        "compliance.view_kyctier", "compliance.change_kyctier",
        "compliance.review_kycdocument", "compliance.view_document_content",
        "compliance.view_kycdocumentview", "compliance.view_sanctionslistversion",
        "compliance.view_screeninghit", "compliance.decide_screeninghit",
        "compliance.view_monitoringrule", "compliance.change_monitoringrule",
        "compliance.view_monitoringalert", "compliance.view_case", "compliance.work_case",
        "compliance.file_sar", "compliance.view_gdprrequest",
    ],
    "support": [
        *VIEW_TRANSFERS, *VIEW_PEOPLE,
        "payments.view_quote", "payments.retry_payout", "payments.cancel_transfer",
        "payments.note_transfer",
    ],
    "finance": [
        *VIEW_TRANSFERS,
        "payments.view_journalentry", "payments.view_posting", "payments.view_account",
        "payments.view_fxrate", "payments.view_corridor", "payments.view_feeband",
        "payments.view_floattopup", "payments.view_cashbalancemove",
        "providers.view_providerbalance", "payments.export_data",
        "reconciliation.view_statement", "reconciliation.add_statement",
        "reconciliation.view_reconitem", "reconciliation.resolve_reconitem",
        "exports.view_export",
    ],
}  # fmt: skip
ADMIN_APPS = ("payments", "compliance", "providers", "accounts", "reconciliation", "exports")
ADMIN_EXTRA = [
    "auth.view_user", "auth.add_user", "auth.change_user", "auth.view_group",
    "django_q.view_success", "django_q.view_failure", "django_q.view_schedule",
    "django_q.view_ormq",
]  # fmt: skip


def _split(perm: str) -> tuple[str, str]:
    app_label, codename = perm.split(".", 1)
    return app_label, codename


def role_permissions(apps=global_apps) -> dict[str, list]:
    """Each role's Permission rows (admin: every permission of the project's apps)."""
    permission = apps.get_model("auth", "Permission")
    wanted = {name: [_split(p) for p in perms] for name, perms in ROLES.items()}
    wanted["admin"] = [_split(p) for p in ADMIN_EXTRA]
    rows = {
        (p.content_type.app_label, p.codename): p
        for p in permission.objects.select_related("content_type")
    }
    result = {name: [rows[key] for key in keys if key in rows] for name, keys in wanted.items()}
    result["admin"] += [p for (app, _), p in rows.items() if app in ADMIN_APPS]
    return result


def install_roles(apps=global_apps, **_) -> None:
    """Create the groups if needed and set each one's permissions to exactly its list."""
    group = apps.get_model("auth", "Group")
    for name, permissions in role_permissions(apps).items():
        role, _ = group.objects.get_or_create(name=name)
        role.permissions.set(permissions)
