from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Export(models.Model):
    """A finance export built by a job into a private file, for its author to download."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    report = models.CharField(max_length=30)
    file_format = models.CharField(max_length=4)
    start = models.DateField()
    end = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows = models.PositiveIntegerField(default=0)
    stored_name = models.CharField(max_length=120, blank=True)
    error = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.report} {self.start}…{self.end} ({self.file_format})"

    @property
    def file_name(self) -> str:
        return f"moneybridge-{self.report}-{self.start}-{self.end}.{self.file_format}"
