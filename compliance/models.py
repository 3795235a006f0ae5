from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class KycTier(models.Model):
    """What a sender at this level may send, in euro cents. Editable in the console."""

    level = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=60)
    requirements = models.CharField(max_length=300, blank=True)
    per_transfer_minor = models.BigIntegerField(help_text=_("Largest single transfer"))
    per_30_days_minor = models.BigIntegerField(help_text=_("Rolling 30 days"))
    per_365_days_minor = models.BigIntegerField(help_text=_("Rolling 365 days"))
    currency = models.CharField(max_length=3, default="EUR")

    class Meta:
        ordering = ["level"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(per_transfer_minor__gte=0)
                & models.Q(per_30_days_minor__gte=models.F("per_transfer_minor"))
                & models.Q(per_365_days_minor__gte=models.F("per_30_days_minor")),
                name="tier_limits_nest",
            )
        ]

    def __str__(self) -> str:
        return f"T{self.level} {self.name}"


class KycDocument(models.Model):
    """An identity document a sender uploaded: encrypted on disk outside the web root, its
    type read from the content itself, never from the name or the declared type."""

    class Kind(models.TextChoices):
        PASSPORT = "passport", _("Passport")
        NATIONAL_ID = "national_id", _("National identity card")
        RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
        DRIVING_LICENCE = "driving_licence", _("Driving licence")
        PROOF_OF_ADDRESS = "proof_of_address", _("Proof of address")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    customer = models.ForeignKey(
        "payments.Customer", on_delete=models.PROTECT, related_name="kyc_documents"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    stored_name = models.CharField(max_length=100, help_text=_("Under PRIVATE_MEDIA_ROOT"))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    reason = models.CharField(max_length=200, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True, db_index=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of customer {self.customer_id} ({self.status})"
