"""The sender's own KYC: upload identity documents, see where the review stands and what
their tier lets them send."""

from typing import Literal

from django.conf import settings
from ninja import File, Form, Router
from ninja.files import UploadedFile

from compliance import gdpr, kyc
from compliance.api.schemas import ErasureOut, KycOut, LimitsOut
from config.api_problems import PROBLEMS, Problem
from config.throttles import SenderThrottle
from payments.api.schemas import Money

router = Router(tags=["kyc"], throttle=[SenderThrottle()])
UPLOAD_PROBLEMS = {frozenset({400, 401, 409, 413, 415, 422, 429}): Problem}


def _kyc(customer) -> KycOut:
    return KycOut(
        kyc_tier=customer.kyc_tier,
        kyc_status=customer.kyc_status,
        documents=list(customer.kyc_documents.all()[:50]),
    )


@router.post("/kyc/documents", response={201: KycOut, **UPLOAD_PROBLEMS})
def document_upload(
    request,
    kind: Form[
        Literal["passport", "national_id", "residence_permit", "driving_licence",
                "proof_of_address"]
    ],
    file: File[UploadedFile],
):  # fmt: skip
    """Upload an identity document (multipart: `kind` and `file`). JPEG, PNG or PDF, checked
    from the content; at most 10 MB. The review decides the sender's tier."""
    # Reads at most one byte past the ceiling: a larger file is refused without loading it.
    content = file.read(settings.KYC_DOCUMENT_MAX_BYTES + 1)
    kyc.document_upload(customer=request.auth, kind=kind, content=content)
    return 201, _kyc(request.auth)


@router.get("/kyc", response={200: KycOut, **PROBLEMS})
def kyc_status(request):
    """The sender's tier, review status and documents."""
    return _kyc(request.auth)


@router.get("/me/limits", response={200: LimitsOut, **PROBLEMS})
def limits(request):
    """What the sender's tier allows, what they used in the rolling windows, and what is left."""
    got = kyc.limits_for(request.auth)

    def money(minor: int) -> Money:
        return Money.of(minor, got.currency)

    return LimitsOut(
        kyc_tier=got.tier,
        per_transfer=money(got.per_transfer),
        per_30_days=money(got.per_30_days),
        used_30_days=money(got.used_30_days),
        remaining_30_days=money(got.remaining_30_days),
        per_365_days=money(got.per_365_days),
        used_365_days=money(got.used_365_days),
        remaining_365_days=money(got.remaining_365_days),
        can_send_now=money(got.can_send_now),
    )


@router.get("/me/data", response={200: dict, **PROBLEMS})
def personal_data(request):
    """Everything we hold about the sender, machine-readable (GDPR right of access)."""
    return gdpr.gdpr_access(request.auth)


@router.post("/me/erasure", response={202: ErasureOut, **PROBLEMS})
def erasure(request):
    """Close the account and erase personal data. Identity and transaction records are kept
    for the anti-money-laundering retention period, then erased; sign-in stops at once."""
    customer = gdpr.gdpr_request_erasure(customer=request.auth)
    return 202, ErasureOut(retention_until=customer.retention_until)
