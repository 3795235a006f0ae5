"""Webhook intake: verify, store raw once, answer fast; a job does the work."""

import json

from django.db import IntegrityError, transaction
from django.http import HttpResponseNotAllowed, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django_q.tasks import async_task

from providers.models import WebhookEvent
from providers.webhooks import VERIFIERS, WebhookRejected, transfer_reference_in

MAX_BODY = 256 * 1024
PROCESS_JOB = "payments.tasks.process_webhook"
URL_NAMES = {
    "stripe": "stripe",
    "wave": "wave",
    "orange-money": "orange_money",
    "mtn-momo": "mtn_momo",
}


@csrf_exempt
def webhook(request, provider: str):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    code = URL_NAMES.get(provider)
    verify = VERIFIERS.get(code)
    if verify is None:
        return JsonResponse({"error": "unknown_provider"}, status=404)
    body = request.body[: MAX_BODY + 1]
    try:
        if len(body) > MAX_BODY:
            raise WebhookRejected("body too large")
        headers = dict(request.headers)
        # MTN and Orange cannot send our header: the token may come in the URL we gave them.
        headers.setdefault("X-Callback-Token", request.GET.get("token", ""))
        event = verify(body, headers)
    except WebhookRejected as exc:
        WebhookEvent.objects.create(
            provider=code,
            status=WebhookEvent.Status.REJECTED,
            reason=str(exc)[:300],
            payload=body[:MAX_BODY].decode("utf-8", "replace"),
        )
        return JsonResponse({"error": "rejected", "detail": str(exc)}, status=400)
    try:
        with transaction.atomic():
            stored = WebhookEvent.objects.create(
                provider=code,
                event_id=event.event_id[:100],
                event_type=event.event_type[:80],
                correlation=transfer_reference_in(body),
                status=WebhookEvent.Status.RECEIVED,
                payload=json.dumps(event.data),
            )
            async_task(PROCESS_JOB, stored.pk)  # same transaction: stored and queued together
    except IntegrityError:
        return JsonResponse({"received": True, "duplicate": True})
    return JsonResponse({"received": True})
