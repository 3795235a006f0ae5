"""The console's home page: the state of the business at a glance."""

from django.conf import settings
from django.db.models import Count, Sum

from payments.models import IncomingPayment, Transfer
from payments.money import display
from payments.payouts import attempts_needing_a_person
from payments.states import TransferStatus as S


def environment_callback(request):
    if settings.DEBUG or settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return ["Demo", "warning"]
    return None


def dashboard_callback(request, context):
    by_status = dict(Transfer.objects.values_list("status").annotate(n=Count("pk")).order_by())
    paid = Transfer.objects.filter(status=S.PAID_OUT).aggregate(total=Sum("send_amount_minor"))
    context.update(
        {
            "status_counts": [(s.value.replace("_", " "), by_status.get(s.value, 0)) for s in S],
            "paid_out_eur": display(paid["total"] or 0, "EUR"),
            "needs_attention": sum(by_status.get(s, 0) for s in (S.ON_HOLD, S.PAYOUT_FAILED)),
            "stuck_payouts": attempts_needing_a_person().count(),
            "unmatched_payments": IncomingPayment.objects.filter(
                status=IncomingPayment.Status.UNMATCHED
            ).count(),
        }
    )
    return context
