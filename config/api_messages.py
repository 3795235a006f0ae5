"""Fixed messages the API sends in `detail`, listed so they are extracted for translation
(the handler translates a domain error's message when the catalogue knows it)."""

from django.utils.translation import gettext_noop

MESSAGES = [
    gettext_noop("wrong email or password"),
    gettext_noop("this refresh token is not valid"),
    gettext_noop("an account with this email already exists"),
    gettext_noop("this email address is not valid"),
    gettext_noop("first and last names are required"),
    gettext_noop("quote not found"),
    gettext_noop("recipient not found"),
    gettext_noop("transfer not found"),
    gettext_noop("not found"),
    gettext_noop("this quote has expired: ask for a new one"),
    gettext_noop("this quote was already used for a transfer"),
    gettext_noop("give a send amount or a receive amount"),
    gettext_noop("give a send amount or a receive amount, not both"),
    gettext_noop("this wallet is already in the address book"),
    gettext_noop("this Idempotency-Key was already used with a different request body"),
    gettext_noop("send an Idempotency-Key header (1 to 255 characters)"),
    gettext_noop("a direct debit needs an IBAN in the SEPA area"),
    gettext_noop("the sandbox is off"),
    gettext_noop("this cursor is not valid"),
    gettext_noop("verify your identity before sending money"),
]
