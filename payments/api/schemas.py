"""What the senders' API reads and writes. Money is always {amount, currency} with the amount
a decimal string in major units, so no client ever handles a float."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field

from payments.money import format_major

AMOUNT_PATTERN = r"^\d{1,15}(\.\d{1,3})?$"


class Money(Schema):
    amount: str = Field(
        pattern=AMOUNT_PATTERN,
        description="Decimal string in major units, with the currency's own number of decimals",
        examples=["100.00"],
    )
    currency: str = Field(pattern=r"^[A-Z]{3}$", examples=["EUR"])

    @classmethod
    def of(cls, minor: int, currency: str) -> "Money":
        return cls(amount=format_major(minor, currency), currency=currency)


class CorridorOut(Schema):
    code: str
    source_country: str
    source_currency: str
    destination_country: str
    destination_currency: str
    payout_providers: list[str]
    min_send: Money
    max_send: Money


class QuoteIn(Schema):
    corridor: str = Field(max_length=20, examples=["fr-sn"])
    payout_provider: Literal["wave", "orange_money", "mtn_momo"] | None = None
    send_amount: Money | None = Field(default=None, description="What the recipient is sent")
    receive_amount: Money | None = Field(default=None, description="What the recipient gets")


class QuoteOut(Schema):
    id: UUID
    corridor: str
    payout_provider: str
    send_amount: Money
    fee: Money
    total: Money = Field(description="What the sender pays: send amount + fee")
    rate: str = Field(description="Payout currency per one unit of the send currency")
    receive_amount: Money
    expires_at: datetime


class RecipientIn(Schema):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    country: str = Field(pattern=r"^[A-Z]{2}$", examples=["SN"])
    phone: str = Field(max_length=30, examples=["+221771234567"])
    provider: Literal["wave", "orange_money", "mtn_momo"] | None = Field(
        default=None, description="Omitted: the best provider able to pay this number"
    )


class RecipientPatch(Schema):
    first_name: str | None = Field(default=None, min_length=1, max_length=100)
    last_name: str | None = Field(default=None, min_length=1, max_length=100)
    phone: str | None = Field(default=None, max_length=30)


class RecipientOut(Schema):
    id: int
    first_name: str
    last_name: str
    country: str
    phone: str
    provider: str
    created_at: datetime


class VerificationOut(Schema):
    result: Literal["verified", "mismatch", "unavailable"]
    holder_name: str | None = Field(description="The wallet holder's name as the provider gives it")


class TransferIn(Schema):
    quote_id: UUID
    recipient_id: int = Field(ge=1)
    purpose: Literal[
        "family_support", "education", "medical", "housing", "gift", "savings", "other"
    ] = "family_support"
    funding_method: Literal["sepa_transfer", "sepa_debit"] = "sepa_transfer"
    iban: str | None = Field(
        default=None, max_length=42, description="The account to debit (sepa_debit only)"
    )


class FundingInstructions(Schema):
    method: Literal["sepa_transfer", "sepa_debit"]
    amount: Money
    iban: str | None = Field(default=None, description="Where to send the bank transfer")
    bic: str | None = None
    account_holder: str | None = None
    reference: str | None = Field(default=None, description="Put this in the transfer's reference")
    debited_iban_last4: str | None = None


class EventOut(Schema):
    status: str
    at: datetime
    reason: str


class TransferOut(Schema):
    id: int
    reference: str
    status: str
    recipient_id: int
    payout_provider: str
    purpose: str
    send_amount: Money
    fee: Money
    total: Money
    rate: str
    receive_amount: Money
    funding_method: Literal["sepa_transfer", "sepa_debit"]
    funding_instructions: FundingInstructions | None
    funding_deadline: datetime
    funds_final_at: datetime | None
    created_at: datetime
    updated_at: datetime


class TransferDetailOut(TransferOut):
    events: list[EventOut]


class TransferPage(Schema):
    items: list[TransferOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next, older page")


class SandboxFundOut(Schema):
    status: Literal["sent"]
    detail: str
