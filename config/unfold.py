"""The ops console's look and navigation (django-unfold). Each sidebar entry shows only to staff
whose role may open it (backoffice/roles.py)."""

from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _


def _can(perm: str):
    return lambda request: request.user.has_perm(perm)


def _item(title, icon, model: str, *, query: str = "", perm: str = ""):
    """A sidebar link to a model's list, shown to whoever may view that model."""
    app_label, model_name = model.split(".")
    url = f"admin:{app_label}_{model_name}_changelist"
    return {
        "title": title,
        "icon": icon,
        "link": (lambda request: reverse(url) + query) if query else reverse_lazy(url),
        "permission": _can(perm or f"{app_label}.view_{model_name}"),
    }


UNFOLD = {
    "SITE_TITLE": "MoneyBridge",
    "SITE_HEADER": "MoneyBridge",
    "SITE_SYMBOL": "currency_exchange",
    "ENVIRONMENT": "backoffice.dashboard.environment_callback",
    "DASHBOARD_CALLBACK": "backoffice.dashboard.dashboard_callback",
    "SHOW_LANGUAGES": True,
    "LANGUAGES": {"action": reverse_lazy("staff_language")},
    "SIDEBAR": {
        "show_search": True,
        "show_all_applications": False,
        "navigation": [
            {
                "title": _("Transfers"),
                "items": [
                    _item(_("Transfers"), "swap_horiz", "payments.transfer"),
                    _item(_("Held transfers"), "pause_circle", "payments.transfer",
                          query="?status__exact=on_hold"),
                    _item(_("Failed payouts"), "error", "payments.transfer",
                          query="?status__exact=payout_failed"),
                    _item(_("Payout attempts"), "outbox", "payments.payoutattempt"),
                    _item(_("Customers"), "person", "payments.customer"),
                    _item(_("Recipients"), "contacts", "payments.recipient"),
                    _item(_("Incoming payments"), "savings", "payments.incomingpayment"),
                    _item(_("Refunds"), "undo", "payments.refund"),
                ],
            },
            {
                "title": _("Compliance"),
                "items": [
                    _item(_("KYC review queue"), "fact_check", "compliance.kycdocument",
                          query="?status__exact=pending", perm="compliance.review_kycdocument"),
                    _item(_("Screening hits to decide"), "policy", "compliance.screeninghit",
                          query="?status__exact=open"),
                    _item(_("Cases"), "folder_shared", "compliance.case"),
                    _item(_("Monitoring alerts"), "notifications", "compliance.monitoringalert"),
                    _item(_("Identity documents"), "badge", "compliance.kycdocument"),
                    _item(_("Document views"), "visibility", "compliance.kycdocumentview"),
                    _item(_("Monitoring rules"), "rule", "compliance.monitoringrule"),
                    _item(_("Sanctions lists"), "gavel", "compliance.sanctionslistversion"),
                    _item(_("KYC tiers and limits"), "tune", "compliance.kyctier"),
                    _item(_("Data-protection requests"), "shield_person",
                          "compliance.gdprrequest"),
                ],
            },
            {
                "title": _("Finance"),
                "items": [
                    _item(_("Statements"), "receipt_long", "reconciliation.statement"),
                    _item(_("Reconciliation: to resolve"), "rule_settings",
                          "reconciliation.reconitem", query="?open=yes"),
                    _item(_("Exports"), "download", "exports.export", perm="payments.export_data"),
                    _item(_("Journal entries"), "account_balance", "payments.journalentry"),
                    _item(_("Accounts"), "account_tree", "payments.account"),
                    _item(_("Float top-ups"), "account_balance_wallet", "payments.floattopup"),
                    _item(_("Provider balances"), "wallet", "providers.providerbalance"),
                    _item(_("FX rates"), "currency_exchange", "payments.fxrate"),
                ],
            },
            {
                "title": _("Providers and pricing"),
                "items": [
                    _item(_("Corridors"), "route", "payments.corridor"),
                    _item(_("Provider calls"), "sync_alt", "providers.providercall"),
                    _item(_("Webhooks"), "webhook", "providers.webhookevent"),
                ],
            },
            {
                "title": _("Administration"),
                "items": [
                    _item(_("Staff"), "badge", "auth.user"),
                    _item(_("Roles"), "groups", "auth.group"),
                    _item(_("Failed jobs"), "report", "django_q.failure"),
                    _item(_("Scheduled jobs"), "schedule", "django_q.schedule"),
                ],
            },
        ],
    },
}  # fmt: skip
