"""Sign-up, sign-in, token rotation and the sender's own profile."""

from ninja import Router

from accounts import registration, sessions
from accounts.api.schemas import (
    ProfileOut,
    ProfilePatch,
    RefreshIn,
    RegisterIn,
    TokenIn,
    TokenOut,
)
from config.api_problems import PROBLEMS
from config.throttles import SenderThrottle, SignInThrottle

router = Router(tags=["account"], throttle=[SenderThrottle()])


def _auth_throttle():
    return [SignInThrottle()]


def _agent(request) -> str:
    return request.headers.get("User-Agent", "")


@router.post(
    "/auth/register", auth=None, throttle=_auth_throttle(), response={201: ProfileOut, **PROBLEMS}
)
def register(request, payload: RegisterIn):
    """Open a sender account. The sender is at KYC tier 0: they can quote and add recipients,
    and send once an identity document is verified."""
    return 201, registration.register_sender(**payload.dict())


@router.post(
    "/auth/token", auth=None, throttle=_auth_throttle(), response={200: TokenOut, **PROBLEMS}
)
def token(request, payload: TokenIn):
    """Sign in with email and password: a short-lived access token and a refresh token."""
    return sessions.session_login(
        email=payload.email, password=payload.password, user_agent=_agent(request)
    )


@router.post(
    "/auth/refresh", auth=None, throttle=_auth_throttle(), response={200: TokenOut, **PROBLEMS}
)
def refresh(request, payload: RefreshIn):
    """Swap the refresh token for a new pair. The old refresh token stops working; using it
    again signs out every device of that sign-in."""
    return sessions.session_refresh(refresh_token=payload.refresh_token, user_agent=_agent(request))


@router.post("/auth/logout", response={204: None, **PROBLEMS})
def logout(request):
    """Revoke this session's tokens."""
    sessions.session_logout(session_id=request.api_session.pk)
    return 204, None


@router.get("/me", response={200: ProfileOut, **PROBLEMS})
def me(request):
    return request.auth


@router.patch("/me", response={200: ProfileOut, **PROBLEMS})
def me_update(request, payload: ProfilePatch):
    """Change names or phone (the email is the sign-in and cannot change here)."""
    return registration.profile_update(customer=request.auth, **payload.dict(exclude_unset=True))
