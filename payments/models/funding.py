from django.db import models
from django.utils.translation import gettext_lazy as _


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won: money returned to us")
    LOST = "lost", _("Lost")


class DisputeBooking(models.TextChoices):
    REFUND = "refund", _("The transfer, refunded before payout")
    LOSS = "loss", _("Our loss: the payout had gone")


class IncomingPayment(models.Model):
    """Money a sender sent us, recorded once per payment whatever it turns out to pay for.

    A payment that funds its transfer exactly is `applied`. Anything else (unknown reference,
    a transfer already funded, expired or cancelled, a wrong amount) is `unmatched`: the money
    is booked to the unmatched-funds account and waits for a person to refund it.
    """

    class Status(models.TextChoices):
        APPLIED = "applied", _("Funds its transfer")
        UNMATCHED = "unmatched", _("Unmatched: to refund")
        REFUNDED = "refunded", _("Refunded")

    provider = models.CharField(max_length=20, default="stripe")
    payment_ref = models.CharField(max_length=100, unique=True, help_text=_("Provider's id"))
    transfer_reference = models.CharField(max_length=40, blank=True, db_index=True)
    transfer = models.ForeignKey(
        "payments.Transfer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incoming_payments",
    )
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    method = models.CharField(max_length=20, default="bank_transfer")
    status = models.CharField(max_length=10, choices=Status.choices)
    note = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    dispute_ref = models.CharField(max_length=100, blank=True, help_text=_("Stripe dispute id"))
    dispute_status = models.CharField(max_length=10, choices=DisputeStatus.choices, blank=True)
    dispute_booked_as = models.CharField(
        max_length=10,
        choices=DisputeBooking.choices,
        blank=True,
        help_text=_("What the disputed money was taken from"),
    )

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="payment_positive")
        ]

    def __str__(self) -> str:
        return f"{self.payment_ref} ({self.status})"


class Refund(models.Model):
    """Euros going back to a sender through Stripe, for a refunded transfer or an unmatched
    payment. Booked as owed when requested; settled in the ledger when Stripe reports it done.

    Our reference is Stripe's idempotency key, so sending it twice creates one refund.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested: to send")
        SENT = "sent", _("Sent: awaiting Stripe")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed: needs a person")

    reference = models.CharField(max_length=40, unique=True)
    payment = models.ForeignKey(IncomingPayment, on_delete=models.PROTECT, related_name="refunds")
    transfer = models.ForeignKey(
        "payments.Transfer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refunds",
    )
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.REQUESTED, db_index=True
    )
    provider_ref = models.CharField(max_length=100, blank=True, db_index=True)
    reason = models.CharField(max_length=300, blank=True)
    error_message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="refund_positive"),
            # A payment is given back whole, once: a failed refund may be followed by another.
            models.UniqueConstraint(
                fields=["payment"],
                condition=~models.Q(status="failed"),
                name="one_live_refund_per_payment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.status})"


class CashBalanceMove(models.Model):
    """A movement of a sender's cash balance at Stripe: money that arrived for them and is
    not (or no longer) applied to a payment: over-payments, partial payments of a transfer
    that expired. Booked once, by Stripe's id, to `customer_balances`."""

    txn_ref = models.CharField(max_length=100, unique=True, help_text=_("Stripe's id"))
    customer_ref = models.CharField(max_length=100, db_index=True)
    kind = models.CharField(max_length=40)
    net_amount_minor = models.BigIntegerField()
    ending_balance_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    recorded_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.customer_ref} {self.kind} {self.net_amount_minor} {self.currency}"
