"""Staff sign-in's second factor (TOTP, django-otp) and each staff member's console language.

Every staff page needs a session verified with a TOTP code (`STAFF_OTP_REQUIRED`, on outside
the demo). A staff member without a device enrols on first sign-in: the page shows the
secret as a QR code for an authenticator app, and the device counts only once a code from it
has been accepted. django-otp throttles wrong codes (each failure doubles the wait).
"""

import hashlib
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from backoffice.models import StaffPreference

# Reachable before the second factor: signing in and out, the second factor itself.
OPEN_PATHS = ("/admin/login/", "/admin/logout/", "/admin/second-factor/", "/admin/jsi18n/")


def _qr_svg(url: str) -> str:
    out = io.BytesIO()
    qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).save(out)
    return out.getvalue().decode()


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return reverse("admin:index")
    return target


@login_required(login_url="/admin/login/")
def second_factor(request):
    """Enrol (first time) or verify a TOTP code, then go on to the console."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        device = device or TOTPDevice.objects.create(user=user, name="console", confirmed=False)
    if request.method == "POST":
        if device.verify_token(request.POST.get("token", "").strip()):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return HttpResponseRedirect(_safe_next(request))
        messages.error(request, _("That code is not valid. Try the current one."))
    context = {
        "title": _("Second factor"),
        "site_title": settings.UNFOLD["SITE_TITLE"],
        "enrolling": enrolling,
        "qr": _qr_svg(device.config_url) if enrolling else "",
        "secret": device.config_url.split("secret=")[1].split("&")[0] if enrolling else "",
        "next": _safe_next(request),
    }
    return render(request, "backoffice/second_factor.html", context)


class StaffSecondFactorMiddleware:
    """Sends a staff session without a verified second factor to the second-factor page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            settings.STAFF_OTP_REQUIRED
            and request.path.startswith("/admin/")
            and not request.path.startswith(OPEN_PATHS)
            and user.is_authenticated
            and user.is_staff
            and not user.is_verified()
        ):
            return HttpResponseRedirect(f"{reverse('second_factor')}?next={request.path}")
        return self.get_response(request)


def _login_key(request, username: str) -> str:
    ip = request.META.get("REMOTE_ADDR", "")
    digest = hashlib.sha256(f"{ip}|{username.strip().lower()}".encode()).hexdigest()
    return f"staff-login-failures:{digest}"


@receiver(user_login_failed)
def _count_failure(sender, credentials, request=None, **kwargs):
    if request is None or not request.path.startswith("/admin/"):
        return
    key = _login_key(request, credentials.get("username", ""))
    cache.add(key, 0, settings.STAFF_LOGIN_LOCK_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, settings.STAFF_LOGIN_LOCK_SECONDS)


class StaffLoginThrottleMiddleware:
    """After STAFF_LOGIN_MAX_FAILURES wrong passwords for one name from one address, the
    console's sign-in refuses (429) for STAFF_LOGIN_LOCK_SECONDS without trying the password
    (nginx limits the request rate as well). Counts live in the shared cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path == "/admin/login/":
            key = _login_key(request, request.POST.get("username", ""))
            if (cache.get(key) or 0) >= settings.STAFF_LOGIN_MAX_FAILURES:
                return HttpResponse(
                    _("Too many failed sign-ins: wait a quarter of an hour and try again."),
                    status=429, content_type="text/plain; charset=utf-8",
                )  # fmt: skip
        return self.get_response(request)


class StaffLanguageMiddleware:
    """The console speaks each staff member's own language, on any browser they sign in from."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation

        user = request.user
        if request.path.startswith("/admin/") and user.is_authenticated and user.is_staff:
            chosen = (
                StaffPreference.objects.filter(user=user).values_list("language", flat=True).first()
            )
            if chosen:
                translation.activate(chosen)
                request.LANGUAGE_CODE = chosen
        return self.get_response(request)


@require_POST
def staff_language(request):
    """The console's language switch: remembered for the staff member, then Django's own."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        StaffPreference.objects.update_or_create(user=request.user, defaults={"language": language})
    return set_language(request)
