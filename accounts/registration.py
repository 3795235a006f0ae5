"""Sender sign-up and profile: a Django user holds the password (Argon2), the Customer the
identity the payments side knows."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from accounts.errors import AlreadyRegistered, InvalidProfile
from compliance.screening import screen_customer
from payments.customers import customer_create, normalize_phone
from payments.models import Customer


@transaction.atomic
def register_sender(
    *,
    email: str,
    password: str,
    phone: str,
    country: str,
    first_name: str,
    last_name: str,
    birth_date=None,
    nationality: str = "",
) -> Customer:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidProfile("this email address is not valid", code="invalid_email") from None
    if not first_name.strip() or not last_name.strip():
        raise InvalidProfile("first and last names are required")
    phone = normalize_phone(phone, country)
    User = get_user_model()
    user = User(username=email, email=email, first_name=first_name, last_name=last_name)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidProfile(" ".join(exc.messages), code="weak_password") from None
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            customer = customer_create(
                email=email, first_name=first_name, last_name=last_name, country=country,
                phone=phone, user=user, birth_date=birth_date, nationality=nationality,
            )  # fmt: skip
    except IntegrityError:
        raise AlreadyRegistered("an account with this email already exists") from None
    screen_customer(customer)
    return customer


def profile_update(*, customer: Customer, **changes) -> Customer:
    """Name and phone may change; the email is the login and stays."""
    fields = {k: v for k, v in changes.items() if v is not None}
    if "phone" in fields:
        fields["phone"] = normalize_phone(fields["phone"], customer.country)
    for name in ("first_name", "last_name"):
        if name in fields:
            fields[name] = fields[name].strip()
            if not fields[name]:
                raise InvalidProfile(f"{name.replace('_', ' ')} cannot be empty")
    for name, value in fields.items():
        setattr(customer, name, value)
    if fields:
        customer.save(update_fields=list(fields))
    if {"first_name", "last_name"} & fields.keys():
        screen_customer(customer)
    return customer
