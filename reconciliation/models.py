from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    WAVE = "wave", _("Wave transactions")
    ORANGE_MONEY = "orange_money", _("Orange Money transaction report")
    MTN_MOMO = "mtn_momo", _("MTN MoMo transaction report")
    STRIPE = "stripe", _("Stripe balance transactions")
    BANK = "bank", _("Bank statement (ISO 20022 camt.053)")


class Statement(models.Model):
    """One imported statement: whose, which file, which period, and what reconciling it found.
    The same file (same checksum) is imported once."""

    source = models.CharField(max_length=20, choices=Source.choices)
    file_name = models.CharField(max_length=200)
    checksum = models.CharField(max_length=64)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    lines = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0, help_text=_("Lines that moved no money"))
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reconciled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-imported_at"]
        constraints = [
            models.UniqueConstraint(fields=["source", "checksum"], name="statement_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.period_start or ''}…{self.period_end or ''}"


class ReconItem(models.Model):
    """One thing to reconcile: a line of a statement, or a record of ours that the statement
    should carry and does not. Matching says which; finance resolves what is left."""

    class Side(models.TextChoices):
        STATEMENT = "statement", _("Statement line")
        BOOKS = "books", _("Our record")

    class Result(models.TextChoices):
        PENDING = "pending", _("Not reconciled yet")
        MATCHED = "matched", _("Matched")
        UNMATCHED = "unmatched", _("On the statement, not in our books")
        MISSING = "missing", _("In our books, not on the statement")
        AMOUNT_MISMATCH = "amount_mismatch", _("Amounts differ")
        DUPLICATE = "duplicate", _("Duplicate line")
        RESOLVED = "resolved", _("Resolved by hand")

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="items")
    source = models.CharField(max_length=20, choices=Source.choices)
    side = models.CharField(max_length=10, choices=Side.choices, default=Side.STATEMENT)
    line_no = models.PositiveIntegerField(null=True, blank=True)
    reference = models.CharField(max_length=100, blank=True, help_text=_("As the statement says"))
    amount_minor = models.BigIntegerField(help_text=_("Positive: money in; negative: money out"))
    currency = models.CharField(max_length=3)
    booked_at = models.DateTimeField(null=True, blank=True)
    description = models.CharField(max_length=200, blank=True)
    result = models.CharField(
        max_length=16, choices=Result.choices, default=Result.PENDING, db_index=True
    )
    expected_minor = models.BigIntegerField(null=True, blank=True, help_text=_("Our amount"))
    attempt = models.ForeignKey(
        "payments.PayoutAttempt", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payment = models.ForeignKey(
        "payments.IncomingPayment", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    entry = models.ForeignKey(
        "payments.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.CharField(max_length=300, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    adjustment = models.ForeignKey(
        "payments.JournalEntry", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("The entry that put our books right, if one was needed"),
    )  # fmt: skip

    class Meta:
        ordering = ["statement", "line_no", "pk"]
        indexes = [
            models.Index(fields=["source", "reference"], name="recon_source_reference"),
            models.Index(fields=["statement", "result"], name="recon_statement_result"),
        ]
        permissions = [("resolve_reconitem", _("Can resolve a reconciliation item"))]

    def __str__(self) -> str:
        return f"{self.source} {self.reference or '-'} {self.amount_minor} {self.currency}"
