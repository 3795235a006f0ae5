import uuid

from django.db import models

from payments.models.customers import Customer
from payments.models.pricing import Corridor


class Quote(models.Model):
    """A priced offer whose rate holds until expires_at. Used by at most one transfer."""

    class Mode(models.TextChoices):
        SEND = "send", "By send amount"
        RECEIVE = "receive", "By receive amount"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="quotes")
    corridor = models.ForeignKey(Corridor, on_delete=models.PROTECT, related_name="+")
    payout_provider = models.CharField(max_length=20)
    mode = models.CharField(max_length=7, choices=Mode.choices)
    send_currency = models.CharField(max_length=3)
    send_amount_minor = models.BigIntegerField(help_text="Converted principal")
    fee_minor = models.BigIntegerField()
    total_minor = models.BigIntegerField(help_text="What the sender pays: send amount + fee")
    receive_currency = models.CharField(max_length=3)
    receive_amount_minor = models.BigIntegerField()
    mid_rate = models.DecimalField(max_digits=24, decimal_places=10)
    rate = models.DecimalField(max_digits=24, decimal_places=10, help_text="Customer rate")
    fx_margin_minor = models.BigIntegerField(help_text="Our FX margin, in receive currency")
    rounding_minor = models.BigIntegerField(help_text="Rounding remainder, in receive currency")
    rate_source = models.CharField(max_length=40)
    rate_as_of = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(send_amount_minor__gt=0)
                & models.Q(fee_minor__gte=0)
                & models.Q(receive_amount_minor__gt=0)
                & models.Q(fx_margin_minor__gte=0)
                & models.Q(rounding_minor__gte=0)
                & models.Q(total_minor=models.F("send_amount_minor") + models.F("fee_minor")),
                name="quote_amounts_tie",
            )
        ]

    def __str__(self) -> str:
        return f"Quote {self.id}"
