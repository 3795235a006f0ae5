"""Double-entry ledger tables. Writes only through payments.ledger.post_entry.

Postings are signed: positive is a debit, negative a credit. For each entry and currency
the postings sum to zero, checked by post_entry and again by a deferred PostgreSQL
constraint trigger at commit (migration 0002), which also refuses updates and deletes.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Account(models.Model):
    class Kind(models.TextChoices):
        ASSET = "asset", _("Asset")
        LIABILITY = "liability", _("Liability")
        REVENUE = "revenue", _("Revenue")
        EXPENSE = "expense", _("Expense")
        EQUITY = "equity", _("Equity")

    code = models.CharField(max_length=60, help_text=_("Purpose, e.g. in_flight or float:wave"))
    currency = models.CharField(max_length=3)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    allow_negative = models.BooleanField(
        default=False, help_text=_("May the balance go against its normal side?")
    )
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["code", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["code", "currency"], name="account_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code}:{self.currency}"

    @property
    def debit_normal(self) -> bool:
        return self.kind in (self.Kind.ASSET, self.Kind.EXPENSE)


class JournalEntry(models.Model):
    kind = models.CharField(max_length=30, db_index=True)
    idempotency_key = models.CharField(max_length=120, unique=True)
    transfer = models.ForeignKey(
        "payments.Transfer", null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    memo = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "journal entries"

    def __str__(self) -> str:
        return f"{self.kind} {self.idempotency_key}"


class Posting(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    amount_minor = models.BigIntegerField(help_text=_("Debit > 0, credit < 0"))
    currency = models.CharField(max_length=3)

    class Meta:
        ordering = ["entry", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount_minor=0), name="posting_nonzero")
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.amount_minor:+d}"
