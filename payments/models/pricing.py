from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Corridor(models.Model):
    """Where one can send: a source country and currency to a destination wallet currency."""

    code = models.SlugField(max_length=20, unique=True, help_text=_("e.g. FR-SN"))
    source_country = models.CharField(max_length=2)
    source_currency = models.CharField(max_length=3)
    destination_country = models.CharField(max_length=2)
    destination_currency = models.CharField(max_length=3)
    payout_providers = models.JSONField(
        default=list, help_text=_("Enabled payout provider codes, in order of preference")
    )
    min_send_minor = models.BigIntegerField()
    max_send_minor = models.BigIntegerField()
    margin_bps = models.PositiveIntegerField(
        default=0, help_text=_("FX margin in basis points taken off the mid rate")
    )
    max_rate_age_seconds = models.PositiveIntegerField(
        default=24 * 3600, help_text=_("A floating rate older than this refuses to quote")
    )
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_country", "destination_country", "destination_currency"],
                name="corridor_unique_route",
            ),
            models.CheckConstraint(
                condition=models.Q(min_send_minor__gt=0)
                & models.Q(max_send_minor__gte=models.F("min_send_minor")),
                name="corridor_limits_sane",
            ),
            models.CheckConstraint(
                condition=models.Q(margin_bps__lt=10_000), name="corridor_margin_lt_100pct"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.source_currency}→{self.destination_currency})"


class FeeBand(models.Model):
    """The fee for send amounts in [min_send_minor, max_send_minor]: fixed + percentage."""

    corridor = models.ForeignKey(Corridor, on_delete=models.CASCADE, related_name="fee_bands")
    min_send_minor = models.BigIntegerField()
    max_send_minor = models.BigIntegerField()
    fixed_minor = models.BigIntegerField(default=0)
    percent_bps = models.PositiveIntegerField(
        default=0, help_text=_("Basis points of the send amount")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["corridor", "min_send_minor"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_send_minor__gte=0)
                & models.Q(max_send_minor__gte=models.F("min_send_minor"))
                & models.Q(fixed_minor__gte=0),
                name="feeband_sane",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.corridor.code} {self.min_send_minor}–{self.max_send_minor}"


class FxRate(models.Model):
    """A mid-market rate: units of quote currency per one unit of base currency.

    Append-only: each fetch is a new row, so a quote can always point at what it used.
    """

    base_currency = models.CharField(max_length=3)
    quote_currency = models.CharField(max_length=3)
    rate = models.DecimalField(max_digits=24, decimal_places=10)
    source = models.CharField(max_length=40)
    as_of = models.DateTimeField(help_text=_("When the source says the rate was set"))
    fetched_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-as_of"]
        indexes = [models.Index(fields=["base_currency", "quote_currency", "-as_of"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="fxrate_positive"),
            models.UniqueConstraint(
                fields=["base_currency", "quote_currency", "source", "as_of"],
                name="fxrate_once_per_publication",
            ),
        ]

    def __str__(self) -> str:
        return f"1 {self.base_currency} = {self.rate} {self.quote_currency} ({self.source})"
