from datetime import date, datetime

from ninja import Schema
from pydantic import Field


class RegisterIn(Schema):
    email: str = Field(max_length=254)
    password: str = Field(min_length=1, max_length=128)
    phone: str = Field(max_length=30, description="The sender's phone, e.g. +33612345678")
    country: str = Field(min_length=2, max_length=2, description="Country of residence, ISO 3166")
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    birth_date: date | None = Field(default=None, description="Used by identity checks")
    nationality: str | None = Field(
        default=None, pattern=r"^[A-Z]{2}$", description="ISO 3166 alpha-2"
    )


class TokenIn(Schema):
    email: str = Field(max_length=254)
    password: str = Field(max_length=128)


class RefreshIn(Schema):
    refresh_token: str = Field(max_length=200)


class TokenOut(Schema):
    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int = Field(description="Seconds the access token lives")


class ProfileOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    phone: str
    country: str
    birth_date: date | None
    nationality: str
    kyc_tier: int
    kyc_status: str
    created_at: datetime


class ProfilePatch(Schema):
    first_name: str | None = Field(default=None, min_length=1, max_length=100)
    last_name: str | None = Field(default=None, min_length=1, max_length=100)
    phone: str | None = Field(default=None, max_length=30)
