from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from payments.api.schemas import Money


class DocumentOut(Schema):
    id: int
    kind: str
    content_type: str
    size: int
    status: Literal["pending", "accepted", "rejected", "more_needed"]
    reason: str
    uploaded_at: datetime


class KycOut(Schema):
    kyc_tier: int
    kyc_status: Literal["none", "pending", "verified", "rejected", "more_needed"]
    documents: list[DocumentOut]


class LimitsOut(Schema):
    kyc_tier: int
    per_transfer: Money
    per_30_days: Money
    used_30_days: Money
    remaining_30_days: Money
    per_365_days: Money
    used_365_days: Money
    remaining_365_days: Money
    can_send_now: Money


class ErasureOut(Schema):
    retention_until: date = Field(
        description="Identity and transaction records are erased after this date (AML law)"
    )
