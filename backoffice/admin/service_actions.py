"""How a console button changes something: a form posted (never a GET link), checked, handed to
one service function, and answered with a message on the page it came from. The service does
the work under its own locks and leaves its own trace; a refusal is shown, nothing is written.
"""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect

from payments.errors import DomainError


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def run_action(
    request: HttpRequest,
    *,
    permission: str,
    form_class: type[forms.Form],
    call: Callable[[dict], object],
    done: str,
    back: str,
) -> HttpResponse:
    """POST only, with the permission, a valid form, then the service; back to `back`."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not request.user.has_perm(permission):
        raise PermissionDenied
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
        messages.error(request, problems)
        return HttpResponseRedirect(back)
    try:
        call(form.cleaned_data)
    except DomainError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, done)
    return HttpResponseRedirect(back)


def private_file(content: bytes, content_type: str, filename: str, *, inline: bool):
    """A private file for the browser: never cached, never sniffed, never run as a page."""
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    if content_type != "application/pdf":  # browsers refuse to show a PDF in a sandbox
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
