from django.db import models
from django.utils.translation import gettext_lazy as _


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
    status = models.CharField(max_length=10, choices=Status.choices)
    note = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="payment_positive")
        ]

    def __str__(self) -> str:
        return f"{self.payment_ref} ({self.status})"
