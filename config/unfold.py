"""The ops console's look and navigation (django-unfold)."""

from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _

UNFOLD = {
    "SITE_TITLE": "MoneyBridge",
    "SITE_HEADER": "MoneyBridge",
    "SITE_SYMBOL": "currency_exchange",
    "ENVIRONMENT": "backoffice.dashboard.environment_callback",
    "DASHBOARD_CALLBACK": "backoffice.dashboard.dashboard_callback",
    "SIDEBAR": {
        "show_search": True,
        "show_all_applications": True,
        "navigation": [
            {
                "title": _("Money"),
                "items": [
                    {
                        "title": _("Transfers"),
                        "icon": "swap_horiz",
                        "link": reverse_lazy("admin:payments_transfer_changelist"),
                    },
                    {
                        "title": _("Payout attempts"),
                        "icon": "outbox",
                        "link": reverse_lazy("admin:payments_payoutattempt_changelist"),
                    },
                    {
                        "title": _("Customers"),
                        "icon": "person",
                        "link": reverse_lazy("admin:payments_customer_changelist"),
                    },
                    {
                        "title": _("Incoming payments"),
                        "icon": "savings",
                        "link": reverse_lazy("admin:payments_incomingpayment_changelist"),
                    },
                    {
                        "title": _("Refunds"),
                        "icon": "undo",
                        "link": reverse_lazy("admin:payments_refund_changelist"),
                    },
                    {
                        "title": _("Float top-ups"),
                        "icon": "account_balance_wallet",
                        "link": reverse_lazy("admin:payments_floattopup_changelist"),
                    },
                    {
                        "title": _("Journal entries"),
                        "icon": "account_balance",
                        "link": reverse_lazy("admin:payments_journalentry_changelist"),
                    },
                ],
            },
            {
                "title": _("Compliance"),
                "items": [
                    {
                        "title": _("KYC review queue"),
                        "icon": "fact_check",
                        "link": lambda request: (
                            reverse("admin:compliance_kycdocument_changelist")
                            + "?status__exact=pending"
                        ),
                    },
                    {
                        "title": _("Screening hits to decide"),
                        "icon": "policy",
                        "link": lambda request: (
                            reverse("admin:compliance_screeninghit_changelist")
                            + "?status__exact=open"
                        ),
                    },
                    {
                        "title": _("Cases"),
                        "icon": "folder_shared",
                        "link": reverse_lazy("admin:compliance_case_changelist"),
                    },
                    {
                        "title": _("Monitoring alerts"),
                        "icon": "notifications",
                        "link": reverse_lazy("admin:compliance_monitoringalert_changelist"),
                    },
                    {
                        "title": _("Identity documents"),
                        "icon": "badge",
                        "link": reverse_lazy("admin:compliance_kycdocument_changelist"),
                    },
                    {
                        "title": _("Document views"),
                        "icon": "visibility",
                        "link": reverse_lazy("admin:compliance_kycdocumentview_changelist"),
                    },
                    {
                        "title": _("Monitoring rules"),
                        "icon": "rule",
                        "link": reverse_lazy("admin:compliance_monitoringrule_changelist"),
                    },
                    {
                        "title": _("Sanctions lists"),
                        "icon": "gavel",
                        "link": reverse_lazy("admin:compliance_sanctionslistversion_changelist"),
                    },
                    {
                        "title": _("KYC tiers and limits"),
                        "icon": "tune",
                        "link": reverse_lazy("admin:compliance_kyctier_changelist"),
                    },
                ],
            },
            {
                "title": _("Pricing"),
                "items": [
                    {
                        "title": _("Corridors"),
                        "icon": "route",
                        "link": reverse_lazy("admin:payments_corridor_changelist"),
                    },
                    {
                        "title": _("Provider calls"),
                        "icon": "sync_alt",
                        "link": reverse_lazy("admin:providers_providercall_changelist"),
                    },
                    {
                        "title": _("Provider balances"),
                        "icon": "account_balance_wallet",
                        "link": reverse_lazy("admin:providers_providerbalance_changelist"),
                    },
                    {
                        "title": _("Webhooks"),
                        "icon": "webhook",
                        "link": reverse_lazy("admin:providers_webhookevent_changelist"),
                    },
                    {
                        "title": _("FX rates"),
                        "icon": "currency_exchange",
                        "link": reverse_lazy("admin:payments_fxrate_changelist"),
                    },
                ],
            },
        ],
    },
}
