from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class KycStatus(models.TextChoices):
    NONE = "none", _("No document yet")
    PENDING = "pending", _("Documents under review")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    MORE_NEEDED = "more_needed", _("Another document needed")


class Customer(models.Model):
    """A sender: a person in Europe who pays in euro."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    email = models.EmailField(unique=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    phone = models.CharField(max_length=20, blank=True, help_text=_("E.164"))
    country = models.CharField(max_length=2, help_text=_("ISO 3166-1 alpha-2 of residence"))
    birth_date = models.DateField(null=True, blank=True)
    nationality = models.CharField(max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2"))
    kyc_tier = models.PositiveSmallIntegerField(
        default=0,
        help_text=_("0 registered (cannot send), 1 verified, 2 enhanced, 3 due diligence"),
    )
    kyc_status = models.CharField(
        max_length=11, choices=KycStatus.choices, default=KycStatus.NONE, db_index=True
    )
    relationship_ended_at = models.DateTimeField(null=True, blank=True)
    retention_until = models.DateField(
        null=True, blank=True, help_text=_("AML records are kept until then, then erased")
    )
    erased_at = models.DateTimeField(null=True, blank=True)
    stripe_customer = models.CharField(
        max_length=40, blank=True, help_text=_("Stripe customer id: the sender's virtual IBAN")
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-id"]
        permissions = [("view_full_phone", _("Can see full phone numbers"))]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} <{self.email}>"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Recipient(models.Model):
    """A mobile-money wallet that receives money, owned by one sender's address book."""

    class Provider(models.TextChoices):
        WAVE = "wave", "Wave"
        ORANGE_MONEY = "orange_money", "Orange Money"
        MTN_MOMO = "mtn_momo", "MTN MoMo"

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="recipients")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    country = models.CharField(max_length=2, help_text=_("ISO 3166-1 alpha-2"))
    phone = models.CharField(max_length=20, help_text=_("Wallet number, E.164"))
    provider = models.CharField(max_length=20, choices=Provider.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Removed from the address book; kept for history")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "phone", "provider"],
                condition=models.Q(archived_at__isnull=True),
                name="recipient_unique_wallet",
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.phone}, {self.get_provider_display()})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"
