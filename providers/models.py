from django.db import models


class SandboxPayout(models.Model):
    """What the generic sandbox provider has 'paid': its own books, not ours."""

    provider = models.CharField(max_length=20)
    reference = models.CharField(max_length=32, unique=True)
    provider_ref = models.CharField(max_length=40, unique=True)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    msisdn = models.CharField(max_length=20)
    status = models.CharField(max_length=12)
    error_code = models.CharField(max_length=40, blank=True)
    sends = models.PositiveIntegerField(default=1, help_text="Times the request was received")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.provider} {self.reference} {self.status}"
