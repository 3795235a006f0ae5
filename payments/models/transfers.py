from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from payments.models.customers import Customer, Recipient
from payments.models.pricing import Corridor
from payments.models.quotes import Quote
from payments.states import TransferStatus

STATUS_CHOICES = [(s.value, s.value.replace("_", " ").capitalize()) for s in TransferStatus]


class Transfer(models.Model):
    """One sender-to-wallet transfer. Its status only changes in payments.transfers."""

    class FundingMethod(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", _("Bank transfer (SEPA credit transfer)")
        SEPA_DEBIT = "sepa_debit", _("SEPA Direct Debit")

    class Purpose(models.TextChoices):
        FAMILY_SUPPORT = "family_support", _("Family support")
        EDUCATION = "education", _("Education")
        MEDICAL = "medical", _("Medical expenses")
        HOUSING = "housing", _("Housing")
        GIFT = "gift", _("Gift")
        SAVINGS = "savings", _("Savings")
        OTHER = "other", _("Other")

    reference = models.CharField(max_length=16, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="transfers")
    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="transfers")
    quote = models.OneToOneField(Quote, on_delete=models.PROTECT, related_name="transfer")
    corridor = models.ForeignKey(Corridor, on_delete=models.PROTECT, related_name="+")
    payout_provider = models.CharField(max_length=20)
    payout_msisdn = models.CharField(
        max_length=20, help_text=_("Wallet number paid, fixed when the transfer was created")
    )
    send_currency = models.CharField(max_length=3)
    send_amount_minor = models.BigIntegerField()
    fee_minor = models.BigIntegerField()
    total_minor = models.BigIntegerField()
    receive_currency = models.CharField(max_length=3)
    receive_amount_minor = models.BigIntegerField()
    rate = models.DecimalField(max_digits=24, decimal_places=10)
    purpose = models.CharField(
        max_length=20, choices=Purpose.choices, default=Purpose.FAMILY_SUPPORT
    )
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default=TransferStatus.CREATED)
    hold_reason = models.CharField(max_length=200, blank=True)
    funding_instructions = models.JSONField(
        default=dict, blank=True, help_text=_("Where and how the sender pays (provider's answer)")
    )
    funding_method = models.CharField(
        max_length=20, choices=FundingMethod.choices, default=FundingMethod.BANK_TRANSFER
    )
    funding_deadline = models.DateTimeField()
    funded_at = models.DateTimeField(null=True, blank=True)
    funds_final_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When the funds can no longer be pulled back: no payout before then"),
    )
    paid_out_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Who changed what and when, beside the business timeline (TransferEvent). One insert per
    # save in the same transaction; only the history's own lookups are indexed.
    history = HistoricalRecords(
        excluded_fields=["funding_instructions"],
        no_db_index=["reference", "customer", "recipient", "quote", "corridor", "payout_provider"],
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "updated_at"], name="transfer_status_updated"),
            models.Index(fields=["customer", "-created_at"], name="transfer_customer_recent"),
            models.Index(fields=["-created_at"], name="transfer_recent"),
            # The console's list: by status, by provider, by wallet number, newest first.
            models.Index(fields=["status", "-created_at"], name="transfer_status_recent"),
            models.Index(
                fields=["payout_provider", "-created_at"], name="transfer_provider_recent"
            ),
            models.Index(fields=["payout_msisdn"], name="transfer_wallet"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(send_amount_minor__gt=0)
                & Q(fee_minor__gte=0)
                & Q(receive_amount_minor__gt=0)
                & Q(total_minor=models.F("send_amount_minor") + models.F("fee_minor")),
                name="transfer_amounts_tie",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in TransferStatus]),
                name="transfer_status_known",
            ),
        ]
        permissions = [
            ("hold_transfer", _("Can hold and release transfers")),
            ("retry_payout", _("Can retry a failed payout")),
            ("refund_transfer", _("Can refund a transfer")),
            ("cancel_transfer", _("Can cancel a transfer")),
            ("resolve_payout", _("Can settle a payout attempt after checking with the provider")),
            ("note_transfer", _("Can add a note to a transfer's timeline")),
            ("export_data", _("Can export finance reports")),
        ]

    def __str__(self) -> str:
        return self.reference


class TransferEvent(models.Model):
    """The timeline: one row per status change, with who and why. Append-only."""

    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=60, help_text=_("'system', a job name, or staff"))
    reason = models.CharField(max_length=300, blank=True)
    attempt = models.ForeignKey(
        "PayoutAttempt", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["transfer", "created_at"], name="event_transfer_time")]

    def __str__(self) -> str:
        return f"{self.transfer_id}: {self.from_status or '∅'} → {self.to_status}"


class PayoutAttempt(models.Model):
    """One request to a provider to pay a transfer out. Its reference is the idempotency key.

    An attempt is committed as SENDING before the provider is called, so a crash mid-call
    leaves a trace the sweeper resolves by asking the provider, never by sending again.
    """

    class Status(models.TextChoices):
        SENDING = "sending", _("Sending")
        SUBMITTED = "submitted", _("Submitted")
        UNKNOWN = "unknown", _("Outcome unknown")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        NOT_SENT = "not_sent", _("Not sent")

    OPEN = (Status.SENDING, Status.SUBMITTED, Status.UNKNOWN)

    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    reference = models.CharField(max_length=32, unique=True)
    provider = models.CharField(max_length=20)
    msisdn = models.CharField(max_length=20, help_text=_("Wallet number this attempt pays"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENDING)
    provider_ref = models.CharField(max_length=100, blank=True)
    error_code = models.CharField(max_length=60, blank=True)
    error_message = models.CharField(max_length=300, blank=True)
    checks = models.PositiveIntegerField(default=0, help_text=_("Status queries made"))
    late_report = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("A provider report that contradicted this attempt after it was settled"),
    )
    next_check_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["transfer", "number"]
        constraints = [
            # The database itself refuses a second in-flight attempt for one transfer.
            models.UniqueConstraint(
                fields=["transfer"],
                condition=Q(status__in=["sending", "submitted", "unknown"]),
                name="one_open_attempt_per_transfer",
            ),
            models.UniqueConstraint(fields=["transfer", "number"], name="attempt_number_unique"),
            models.UniqueConstraint(
                fields=["transfer"],
                condition=Q(status="succeeded"),
                name="one_success_per_transfer",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_check_at"],
                condition=Q(status__in=["submitted", "unknown"]),
                name="attempt_due_checks",
            ),
            models.Index(
                fields=["updated_at"], condition=Q(status="sending"), name="attempt_sending"
            ),
            # The console finds a transfer by the provider's own reference.
            models.Index(
                fields=["provider_ref"], condition=~Q(provider_ref=""), name="attempt_provider_ref"
            ),
        ]

    def __str__(self) -> str:
        return self.reference
