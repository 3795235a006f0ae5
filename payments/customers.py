"""Senders and their recipients' wallets."""

import phonenumbers
import pycountry
from django.db import IntegrityError, transaction

from payments.errors import DomainError, InvalidRecipient
from payments.models import Corridor, Customer, Recipient
from payments.routing import rank_providers


def normalize_msisdn(phone: str, country: str) -> str:
    """A wallet number in E.164, refused unless it is a valid mobile number of `country`."""
    try:
        number = phonenumbers.parse(phone, country)
    except phonenumbers.NumberParseException:
        raise InvalidRecipient(f"{phone!r} is not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidRecipient(f"{phone!r} is not a valid number in {country}")
    if phonenumbers.region_code_for_number(number) != country:
        raise InvalidRecipient(f"{phone!r} is not a number of {country}")
    if phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise InvalidRecipient(f"{phone!r} is not a mobile number: a wallet needs one")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def customer_create(
    *, email: str, first_name: str, last_name: str, country: str, phone: str = "", user=None
) -> Customer:
    if pycountry.countries.get(alpha_2=country) is None:
        raise DomainError(f"unknown country {country!r}", code="invalid_country")
    return Customer.objects.create(
        email=email.strip().lower(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        country=country,
        phone=phone,
        user=user,
    )


def recipient_create(
    *,
    customer: Customer,
    first_name: str,
    last_name: str,
    country: str,
    phone: str,
    provider: str | None = None,
) -> Recipient:
    """Add a wallet to a sender's address book, checked against where we can pay out.

    Without a provider, the best one able to pay the number's network is chosen
    (payments.routing).
    """
    country = (country or "").strip().upper()
    if not country:
        raise InvalidRecipient("the recipient's country is required")
    corridors = list(Corridor.objects.filter(destination_country=country, active=True))
    providers = {p for corridor in corridors for p in corridor.payout_providers}
    if not providers:
        raise InvalidRecipient(f"we do not pay out to {country}")
    if provider is not None and provider not in providers:
        raise InvalidRecipient(f"{provider} does not pay out in {country}")
    if not first_name.strip() or not last_name.strip():
        raise InvalidRecipient("the recipient's first and last names are required")
    msisdn = normalize_msisdn(phone, country)
    if provider is None:
        ranked = rank_providers(corridors[0], msisdn)
        if not ranked:
            raise InvalidRecipient(f"no provider we use in {country} can pay {msisdn}")
        provider = ranked[0]
    try:
        with transaction.atomic():
            return Recipient.objects.create(
                customer=customer,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                country=country,
                phone=msisdn,
                provider=provider,
            )
    except IntegrityError:
        raise InvalidRecipient("this wallet is already in the address book") from None
