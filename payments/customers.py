"""Senders and their recipients' wallets."""

import unicodedata

import phonenumbers
import pycountry
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from compliance.screening import screen_recipient
from payments.errors import DomainError, InvalidRecipient
from payments.models import Corridor, Customer, Recipient
from payments.routing import rank_providers
from providers.errors import ProviderError
from providers.registry import get_provider

# token_set_ratio of two normalised names from which we call them the same person.
NAME_MATCH_MIN_SCORE = 90


def normalize_msisdn(phone: str, country: str) -> str:
    """A wallet number in E.164, refused unless it is a valid mobile number of `country`."""
    try:
        number = phonenumbers.parse(phone, country)
    except phonenumbers.NumberParseException:
        raise InvalidRecipient(
            _("%(phone)s is not a phone number") % {"phone": repr(phone)}
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidRecipient(
            _("%(phone)s is not a valid number in %(country)s")
            % {"phone": repr(phone), "country": country}
        )
    if phonenumbers.region_code_for_number(number) != country:
        raise InvalidRecipient(
            _("%(phone)s is not a number of %(country)s")
            % {"phone": repr(phone), "country": country}
        )
    if phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise InvalidRecipient(
            _("%(phone)s is not a mobile number: a wallet needs one") % {"phone": repr(phone)}
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_phone(phone: str, country: str) -> str:
    """A sender's phone in E.164: any valid number, read as a local one of `country`."""
    try:
        number = phonenumbers.parse(phone or "", country)
    except phonenumbers.NumberParseException:
        raise DomainError(
            _("%(phone)s is not a phone number") % {"phone": repr(phone)}, code="invalid_phone"
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise DomainError(
            _("%(phone)s is not a valid phone number") % {"phone": repr(phone)},
            code="invalid_phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def customer_create(
    *,
    email: str,
    first_name: str,
    last_name: str,
    country: str,
    phone: str = "",
    user=None,
    birth_date=None,
    nationality: str = "",
) -> Customer:
    nationality = (nationality or "").upper()
    if nationality and pycountry.countries.get(alpha_2=nationality) is None:
        raise DomainError(
            _("unknown country %(country)s") % {"country": repr(nationality)},
            code="invalid_country",
        )
    if pycountry.countries.get(alpha_2=country) is None:
        raise DomainError(
            _("unknown country %(country)s") % {"country": repr(country)}, code="invalid_country"
        )
    return Customer.objects.create(
        email=email.strip().lower(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        country=country,
        phone=phone,
        user=user,
        birth_date=birth_date,
        nationality=nationality,
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
        raise InvalidRecipient(_("the recipient's country is required"))
    corridors = list(Corridor.objects.filter(destination_country=country, active=True))
    providers = {p for corridor in corridors for p in corridor.payout_providers}
    if not providers:
        raise InvalidRecipient(_("we do not pay out to %(country)s") % {"country": country})
    if provider is not None and provider not in providers:
        raise InvalidRecipient(
            _("%(provider)s does not pay out in %(country)s")
            % {"provider": provider, "country": country}
        )
    if not first_name.strip() or not last_name.strip():
        raise InvalidRecipient(_("the recipient's first and last names are required"))
    msisdn = normalize_msisdn(phone, country)
    if provider is None:
        ranked = rank_providers(corridors[0], msisdn)
        if not ranked:
            raise InvalidRecipient(
                _("no provider we use in %(country)s can pay %(phone)s")
                % {"country": country, "phone": msisdn}
            )
        provider = ranked[0]
    try:
        with transaction.atomic():
            recipient = Recipient.objects.create(
                customer=customer,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                country=country,
                phone=msisdn,
                provider=provider,
            )
    except IntegrityError:
        raise InvalidRecipient("this wallet is already in the address book") from None
    screen_recipient(recipient)
    return recipient


def recipient_update(*, recipient: Recipient, first_name=None, last_name=None, phone=None):
    """Correct a recipient's names or wallet number (checked again for its country)."""
    changes = {}
    for name, value in (("first_name", first_name), ("last_name", last_name)):
        if value is not None:
            if not value.strip():
                raise InvalidRecipient(f"the recipient's {name.replace('_', ' ')} is required")
            changes[name] = value.strip()
    if phone is not None:
        changes["phone"] = normalize_msisdn(phone, recipient.country)
    for name, value in changes.items():
        setattr(recipient, name, value)
    if changes:
        try:
            with transaction.atomic():
                recipient.save(update_fields=list(changes))
        except IntegrityError:
            raise InvalidRecipient("this wallet is already in the address book") from None
    if {"first_name", "last_name"} & changes.keys():
        screen_recipient(recipient)  # a new name is screened as a new recipient would be
    return recipient


def recipient_archive(*, recipient: Recipient) -> None:
    """Remove from the address book; transfers already made keep pointing at it."""
    recipient.archived_at = timezone.now()
    recipient.save(update_fields=["archived_at"])


def names_match(ours: str, theirs: str) -> bool:
    """Same person's name despite order, accents, case or a missing middle name."""
    a, b = _plain(ours), _plain(theirs)
    return fuzz.token_set_ratio(a, b) >= NAME_MATCH_MIN_SCORE and bool(a) and bool(b)


def _plain(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()


def recipient_verify(*, recipient: Recipient) -> tuple[str, str | None]:
    """Ask the wallet's provider who holds it: (verified | mismatch | unavailable, name)."""
    adapter = get_provider(recipient.provider)
    lookup = getattr(adapter, "account_holder_name", None)
    if lookup is None:
        return "unavailable", None
    try:
        holder = lookup(recipient.phone, recipient.country)
    except ProviderError:
        return "unavailable", None
    if not holder:
        return "unavailable", None
    return ("verified" if names_match(recipient.full_name, holder) else "mismatch"), holder
