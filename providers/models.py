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


class ProviderCall(models.Model):
    """One outbound call to a provider, as sent and as answered, secrets and personal data
    redacted. Written outside business transactions, so a rolled-back move keeps its trace."""

    provider = models.CharField(max_length=30)
    operation = models.CharField(max_length=40)
    method = models.CharField(max_length=8)
    url = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=40, help_text="ok, http_<code>, or the network error")
    latency_ms = models.PositiveIntegerField()
    correlation = models.CharField(
        max_length=60, blank=True, db_index=True, help_text="Transfer or attempt reference"
    )
    request_body = models.TextField(blank=True)
    response_body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["provider", "-created_at"], name="call_provider_recent")]

    def __str__(self) -> str:
        return f"{self.provider} {self.operation} {self.outcome}"


class WebhookEvent(models.Model):
    """A provider's notification, stored raw before anything is done with it.

    Verified events are unique per provider and event id, so a redelivery is acknowledged and
    ignored; refused ones (bad signature, stale, malformed) are kept for the console.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored (not an event we act on)"
        FAILED = "failed", "Failed while processing"
        REJECTED = "rejected", "Rejected (not verified)"

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=100, blank=True)
    event_type = models.CharField(max_length=80, blank=True)
    correlation = models.CharField(
        max_length=20, blank=True, db_index=True, help_text="The transfer reference it names"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    reason = models.CharField(max_length=300, blank=True)
    payload = models.TextField()
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"],
                condition=~models.Q(status="rejected"),
                name="webhook_once_per_event",
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_type or '?'} {self.event_id or '-'} ({self.status})"


class ProviderBalance(models.Model):
    """What a payout provider last said our float with it is, per payout country and currency.

    A snapshot, refreshed by a job; the books of record are our ledger's float accounts.
    """

    provider = models.CharField(max_length=20)
    country = models.CharField(max_length=2)
    currency = models.CharField(max_length=3)
    amount_minor = models.BigIntegerField(null=True, blank=True)
    as_of = models.DateTimeField()
    error = models.CharField(max_length=200, blank=True, help_text="Why the last read failed")

    class Meta:
        ordering = ["provider", "country"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "country", "currency"], name="one_balance_per_wallet"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.country} {self.amount_minor} {self.currency}"
