from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffPreference(models.Model):
    """What a staff member chose for their console, kept with them rather than the browser."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="console_preference"
    )
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")

    class Meta:
        verbose_name = _("console preference")

    def __str__(self) -> str:
        return f"{self.user} ({self.language})"
