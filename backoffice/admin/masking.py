"""Phone numbers partly hidden from staff who do not need them whole (support): enough to
confirm a number a caller reads out, not enough to copy it."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

FULL_PHONE = "payments.view_full_phone"


def mask_phone(number: str) -> str:
    """+221771234557 -> +22177•••••57 (country code and operator prefix kept)."""
    if not number or len(number) < 8:
        return number
    return number[:6] + "•" * (len(number) - 8) + number[-2:]


class PhoneMaskMixin:
    """Shows `phone_fields` masked, in lists and on pages, unless the user may see them whole."""

    phone_fields: tuple[str, ...] = ("phone",)

    def _masked(self, request, names):
        if request.user.has_perm(FULL_PHONE):
            return names
        return [f"masked_{n}" if n in self.phone_fields else n for n in names]

    def get_list_display(self, request):
        return self._masked(request, super().get_list_display(request))

    def get_fields(self, request, obj=None):
        return self._masked(request, super().get_fields(request, obj))

    def get_readonly_fields(self, request, obj=None):
        names = list(super().get_readonly_fields(request, obj))
        if request.user.has_perm(FULL_PHONE):
            return names
        return [*self._masked(request, names), *(f"masked_{n}" for n in self.phone_fields)]

    @admin.display(description=_("Phone"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    @admin.display(description=_("Wallet number"))
    def masked_payout_msisdn(self, obj):
        return mask_phone(obj.payout_msisdn)

    @admin.display(description=_("Wallet number"))
    def masked_msisdn(self, obj):
        return mask_phone(obj.msisdn)

    @admin.display(description=_("Recipient"))
    def masked_recipient(self, obj):
        r = obj.recipient
        return f"{r.first_name} {r.last_name} ({mask_phone(r.phone)}, {r.get_provider_display()})"
