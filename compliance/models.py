from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class KycTier(models.Model):
    """What a sender at this level may send, in euro cents. Editable in the console."""

    level = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=60)
    requirements = models.CharField(max_length=300, blank=True)
    per_transfer_minor = models.BigIntegerField(help_text=_("Largest single transfer"))
    per_30_days_minor = models.BigIntegerField(help_text=_("Rolling 30 days"))
    per_365_days_minor = models.BigIntegerField(help_text=_("Rolling 365 days"))
    currency = models.CharField(max_length=3, default="EUR")
    history = HistoricalRecords()

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
        MORE_NEEDED = "more_needed", _("Another document requested")

    customer = models.ForeignKey(
        "payments.Customer", on_delete=models.PROTECT, related_name="kyc_documents"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    stored_name = models.CharField(max_length=100, help_text=_("Under PRIVATE_MEDIA_ROOT"))
    status = models.CharField(
        max_length=11, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    reason = models.CharField(max_length=200, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True, db_index=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("identity document")
        permissions = [
            ("review_kycdocument", _("Can accept, reject or ask for another identity document")),
            ("view_document_content", _("Can open identity documents")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of customer {self.customer_id} ({self.status})"


class KycDocumentView(models.Model):
    """Who opened which identity document, and when: every view, for the data-protection
    officer and the regulator."""

    document = models.ForeignKey(KycDocument, on_delete=models.PROTECT, related_name="views")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ip = models.GenericIPAddressField(null=True, blank=True)
    viewed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-viewed_at"]

    def __str__(self) -> str:
        return f"document {self.document_id} viewed by {self.viewer_id} at {self.viewed_at}"


class SanctionsListVersion(models.Model):
    """One imported publication of a sanctions list: which file, when, how many entries.
    Importing the same file again changes nothing (same checksum)."""

    source = models.CharField(max_length=20, db_index=True)
    checksum = models.CharField(max_length=64)
    file_name = models.CharField(max_length=200)
    entries = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at"]
        constraints = [
            models.UniqueConstraint(fields=["source", "checksum"], name="list_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.imported_at:%Y-%m-%d} ({self.entries})"


class SanctionsEntry(models.Model):
    """A person or organisation on a list, with every name it is known by (normalised for
    matching), its birth dates and nationalities when the list gives them."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Organisation")
        OTHER = "other", _("Vessel, aircraft or other")

    version = models.ForeignKey(
        SanctionsListVersion, on_delete=models.PROTECT, related_name="entry_set"
    )
    source = models.CharField(max_length=20)
    source_uid = models.CharField(max_length=60)
    kind = models.CharField(max_length=15, choices=Kind.choices)
    name = models.CharField(max_length=300)
    aliases = models.JSONField(default=list, blank=True)
    match_names = models.JSONField(default=list, help_text=_("Normalised names, for matching"))
    birth_dates = models.JSONField(default=list, blank=True, help_text=_("YYYY or YYYY-MM-DD"))
    nationalities = models.JSONField(default=list, blank=True, help_text=_("ISO 3166 alpha-2"))
    fingerprint = models.CharField(max_length=64, help_text=_("Changes when the entry changes"))
    active = models.BooleanField(default=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["source", "source_uid"], name="entry_source_uid")]

    def __str__(self) -> str:
        return f"{self.name} ({self.source} {self.source_uid})"


class Case(models.Model):
    """An investigation of one customer: their open alerts and screening hits, who works on
    it, the notes and files gathered, and the decision. One open case per customer at most;
    what is raised after it closes opens a new one."""

    class Status(models.TextChoices):
        OPEN = "open", _("To investigate")
        INVESTIGATING = "investigating", _("Investigating")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        FALSE_POSITIVE = "false_positive", _("False positive: nothing unusual")
        VALUABLE_ALERT = "valuable_alert", _("Unusual but explained")
        CONFIRMED_RISK = "confirmed_risk", _("Confirmed risk: suspicion reported")

    customer = models.ForeignKey(
        "payments.Customer", on_delete=models.PROTECT, related_name="compliance_cases"
    )
    status = models.CharField(
        max_length=15, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=15, choices=Outcome.choices, blank=True)
    decision = models.TextField(blank=True, help_text=_("What was found and why it was decided"))
    opened_at = models.DateTimeField(auto_now_add=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sar_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When a suspicious activity report was produced")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=~models.Q(status="closed"), name="one_open_case"
            )
        ]
        permissions = [
            ("work_case", _("Can assign, annotate and decide cases")),
            ("file_sar", _("Can produce a suspicious activity report")),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_status_display()})"

    @property
    def reference(self) -> str:
        return f"CASE-{self.pk:06d}"


class CaseNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class CaseAttachment(models.Model):
    """A file gathered for a case (bank statement, payslip, correspondence), kept encrypted
    like identity documents."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    stored_name = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.name


class ScreeningHit(models.Model):
    """A possible match between one of our parties and a list entry, waiting for or carrying a
    compliance officer's decision. A false positive is remembered for this party and this
    entry as it stands: the same hit does not come back unless the entry changes."""

    class Party(models.TextChoices):
        SENDER = "sender", _("Sender")
        RECIPIENT = "recipient", _("Recipient")

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        FALSE_POSITIVE = "false_positive", _("False positive")
        TRUE_MATCH = "true_match", _("True match")

    party = models.CharField(max_length=10, choices=Party.choices)
    party_id = models.BigIntegerField()
    screened_name = models.CharField(max_length=300)
    entry = models.ForeignKey(SanctionsEntry, on_delete=models.PROTECT, related_name="hits")
    entry_fingerprint = models.CharField(max_length=64)
    matched_name = models.CharField(max_length=300)
    score = models.DecimalField(max_digits=4, decimal_places=3)
    transfer = models.ForeignKey(
        "payments.Transfer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="hits"
    )
    status = models.CharField(
        max_length=15, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    reason = models.CharField(max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["party", "party_id"], name="hit_party")]
        permissions = [("decide_screeninghit", _("Can decide a screening hit"))]

    def __str__(self) -> str:
        return f"{self.party} {self.party_id} ~ {self.entry_id} ({self.score}, {self.status})"


class MonitoringRule(models.Model):
    """A transaction-monitoring rule, editable in the console (compliance/NOTES.md 4.2).
    `params` holds the rule's thresholds and windows; `score` adds to the transfer's risk."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    enabled = models.BooleanField(default=True)
    score = models.PositiveSmallIntegerField()
    params = models.JSONField(default=dict, blank=True)
    description = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class MonitoringAlert(models.Model):
    """A rule that fired on a transfer, with its evidence, for an analyst."""

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        CLOSED = "closed", _("Closed")

    rule = models.ForeignKey(MonitoringRule, on_delete=models.PROTECT, related_name="alerts")
    transfer = models.ForeignKey(
        "payments.Transfer", on_delete=models.PROTECT, related_name="monitoring_alerts"
    )
    customer = models.ForeignKey(
        "payments.Customer", on_delete=models.PROTECT, related_name="monitoring_alerts"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    score = models.PositiveSmallIntegerField()
    evidence = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "transfer"], name="one_alert_per_rule")
        ]

    def __str__(self) -> str:
        return f"{self.rule.code} on {self.transfer_id} (+{self.score})"


class GdprRequest(models.Model):
    """The trail of a sender's data-protection requests and what was done for them."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("Access: data exported")
        ERASURE = "erasure", _("Erasure requested: relationship closed")
        PURGE = "purge", _("Retention over: personal data erased")

    customer = models.ForeignKey(
        "payments.Customer", on_delete=models.PROTECT, related_name="gdpr_requests"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    detail = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.kind} for customer {self.customer_id}"
