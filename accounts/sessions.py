"""Sender sign-in: random bearer tokens, stored only as digests, short-lived access, rotating
refresh. Every lookup is one indexed query on the digest."""

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from accounts.errors import NotAuthenticated
from accounts.models import ApiSession
from payments.models import Customer

ACCESS_PREFIX, REFRESH_PREFIX = "mba_", "mbr_"


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue(customer_id: int, family: uuid.UUID, user_agent: str, now: datetime) -> IssuedTokens:
    access = ACCESS_PREFIX + secrets.token_urlsafe(32)
    refresh = REFRESH_PREFIX + secrets.token_urlsafe(32)
    ApiSession.objects.create(
        customer_id=customer_id,
        family=family,
        access_digest=digest(access),
        refresh_digest=digest(refresh),
        access_expires_at=now + timedelta(seconds=settings.API_ACCESS_TOKEN_SECONDS),
        refresh_expires_at=now + timedelta(days=settings.API_REFRESH_TOKEN_DAYS),
        user_agent=user_agent[:200],
    )
    return IssuedTokens(access, refresh, settings.API_ACCESS_TOKEN_SECONDS)


def session_login(*, email: str, password: str, user_agent: str = "") -> IssuedTokens:
    """A new session for a sender's email and password (one message for every failure)."""
    user = authenticate(username=(email or "").strip().lower(), password=password or "")
    customer_id = (
        Customer.objects.filter(user=user).values_list("pk", flat=True).first() if user else None
    )
    if customer_id is None:
        raise NotAuthenticated("wrong email or password", code="invalid_credentials")
    return _issue(customer_id, uuid.uuid4(), user_agent, timezone.now())


def session_refresh(*, refresh_token: str, user_agent: str = "") -> IssuedTokens:
    """Swap a refresh token for a new pair; the old pair stops working. A refresh token
    presented again after its rotation revokes every session of its family."""
    now = timezone.now()
    issued = _rotate(digest(refresh_token or ""), user_agent, now)
    if isinstance(issued, uuid.UUID):  # replayed: committed before we refuse
        _revoke(ApiSession.objects.filter(family=issued), "refresh_reused", now)
        issued = None
    if issued is None:
        raise NotAuthenticated("this refresh token is not valid", code="invalid_token")
    return issued


@transaction.atomic
def _rotate(refresh_digest: str, user_agent: str, now: datetime):
    """New tokens, None for an unknown or expired token, or the family of a replayed one."""
    session = ApiSession.objects.select_for_update().filter(refresh_digest=refresh_digest).first()
    if session is None or session.refresh_expires_at <= now:
        return None
    if session.revoked_at is not None:
        return session.family if session.revoked_why == "rotated" else None
    _revoke(ApiSession.objects.filter(pk=session.pk), "rotated", now)
    return _issue(session.customer_id, session.family, user_agent, now)


def session_logout(*, session_id: int) -> None:
    _revoke(ApiSession.objects.filter(pk=session_id), "logout", timezone.now())


def _revoke(sessions, why: str, now: datetime) -> int:
    return sessions.filter(revoked_at__isnull=True).update(revoked_at=now, revoked_why=why)


def session_for_access_token(token: str) -> ApiSession | None:
    """The live session an access token belongs to, with its customer, or None."""
    if not token.startswith(ACCESS_PREFIX):
        return None
    return (
        ApiSession.objects.select_related("customer")
        .filter(
            access_digest=digest(token),
            revoked_at__isnull=True,
            access_expires_at__gt=timezone.now(),
        )
        .first()
    )
