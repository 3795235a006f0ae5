from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiSession(models.Model):
    """One signed-in device: a short-lived access token and a refresh token, stored only as
    SHA-256 digests. Refreshing replaces the session with a new one in the same family; a
    refresh token used twice revokes the whole family (it was stolen, or replayed)."""

    customer = models.ForeignKey(
        "payments.Customer", on_delete=models.CASCADE, related_name="api_sessions"
    )
    family = models.UUIDField(db_index=True)
    access_digest = models.CharField(max_length=64, unique=True)
    refresh_digest = models.CharField(max_length=64, unique=True)
    access_expires_at = models.DateTimeField()
    refresh_expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_why = models.CharField(max_length=40, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API session")

    def __str__(self) -> str:
        return f"session {self.pk} of customer {self.customer_id}"
