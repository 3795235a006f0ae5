from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FloatTopUp(models.Model):
    """Treasury sent local currency to a payout provider's wallet: who booked it, and why."""

    provider = models.CharField(max_length=20)
    currency = models.CharField(max_length=3)
    amount_minor = models.BigIntegerField()
    reference = models.CharField(
        max_length=60, unique=True, help_text=_("The bank or provider reference of the top-up")
    )
    note = models.CharField(max_length=200, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    booked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-booked_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="topup_positive")
        ]

    def __str__(self) -> str:
        return f"{self.provider} +{self.amount_minor} {self.currency} ({self.reference})"
