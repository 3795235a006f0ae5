from django.db import models


class IdempotencyRecord(models.Model):
    """A sender's Idempotency-Key and what its first request made. The same key and body
    gets the same transfer back; the same key with another body is refused. Kept 48 hours."""

    customer = models.ForeignKey(
        "payments.Customer", on_delete=models.CASCADE, related_name="idempotency_records"
    )
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the request body")
    transfer = models.ForeignKey(
        "payments.Transfer", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "key"], name="idempotency_key_once")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}:{self.key}"
