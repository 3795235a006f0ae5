"""Roles: each group against each screen and action, allowed and refused; the sidebar shows a
role only what it may open; support sees phone numbers partly masked and identity documents
only as metadata; staff sign in with a TOTP second factor; each keeps their language."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from backoffice.admin.masking import mask_phone
from backoffice.roles import ADMIN_EXTRA, ROLES, role_permissions
from compliance.cases import case_for_customer
from compliance.kyc import document_upload
from compliance.models import KycDocument
from payments.transfers import transfer_mark_funded
from tests import factories as f
from tests.backoffice.conftest import signed_in, staff_login
from tests.backoffice.test_transfer_console import failed_transfer

pytestmark = pytest.mark.usefixtures("corridors")
ROLE_NAMES = ["compliance", "support", "finance", "admin"]
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def test_every_listed_permission_exists():
    found = role_permissions()
    for role, perms in ROLES.items():
        assert len(found[role]) == len(set(perms)), role  # a typo would silently grant nothing
    assert len([p for p in found["admin"] if p.content_type.app_label in ("auth", "django_q")]) == (
        len(ADMIN_EXTRA)
    )


@pytest.fixture
def world(db):
    """One of each thing the screens show."""
    customer = f.customer(kyc_tier=0)
    document = document_upload(customer=customer, kind="passport", content=JPEG)
    return {"document": document, "case": case_for_customer(customer.pk), "transfer": f.transfer()}


SCREENS = {
    # name: (url builder, roles that may open it)
    "transfers": (lambda w: reverse("admin:payments_transfer_changelist"), set(ROLE_NAMES)),
    "transfer page": (
        lambda w: reverse("admin:payments_transfer_change", args=[w["transfer"].pk]),
        set(ROLE_NAMES),
    ),
    "customers": (lambda w: reverse("admin:payments_customer_changelist"),
                  {"compliance", "support", "admin"}),
    "kyc queue": (lambda w: reverse("admin:compliance_kycdocument_changelist"),
                  {"compliance", "support", "admin"}),
    "document file": (
        lambda w: reverse("admin:compliance_kycdocument_content", args=[w["document"].pk]),
        {"compliance", "admin"},
    ),
    "cases": (lambda w: reverse("admin:compliance_case_changelist"), {"compliance", "admin"}),
    "monitoring rules": (lambda w: reverse("admin:compliance_monitoringrule_changelist"),
                         {"compliance", "admin"}),
    "journal": (lambda w: reverse("admin:payments_journalentry_changelist"), {"finance", "admin"}),
    "provider balances": (lambda w: reverse("admin:providers_providerbalance_changelist"),
                          {"finance", "admin"}),
    "staff accounts": (lambda w: reverse("admin:auth_user_changelist"), {"admin"}),
    "statements": (lambda w: reverse("admin:reconciliation_statement_changelist"),
                   {"finance", "admin"}),
    "statement import": (lambda w: reverse("admin:reconciliation_statement_import"),
                         {"finance", "admin"}),
    "reconciliation items": (lambda w: reverse("admin:reconciliation_reconitem_changelist"),
                             {"finance", "admin"}),
    "exports": (lambda w: reverse("admin:exports_export_changelist"), {"finance", "admin"}),
}  # fmt: skip


@pytest.mark.parametrize("role", ROLE_NAMES)
@pytest.mark.parametrize("screen", SCREENS)
def test_each_role_against_each_screen(world, role, screen):
    url_for, allowed = SCREENS[screen]
    status = signed_in(role).get(url_for(world)).status_code
    assert status == (200 if role in allowed else 403), (role, screen, status)


def _post_transfer_action(client, w, action, **data):
    transfer = w["transfer"]
    return client.post(reverse("admin:payments_transfer_act", args=[transfer.pk, action]), data)


ACTIONS = {
    # name: (post, roles allowed); an allowed post redirects back to its page (302)
    "hold": (lambda c, w: _post_transfer_action(c, w, "hold", reason="r"),
             {"compliance", "admin"}),
    "note": (lambda c, w: _post_transfer_action(c, w, "note", text="t"),
             {"compliance", "support", "admin"}),
    "cancel": (lambda c, w: _post_transfer_action(c, w, "cancel", reason="r"),
               {"support", "admin"}),
    "refund": (lambda c, w: _post_transfer_action(c, w, "refund", reason="r"), {"admin"}),
    "retry": (lambda c, w: _post_transfer_action(c, w, "retry", reason="r"),
              {"support", "admin"}),
    "kyc decision": (
        lambda c, w: c.post(reverse("admin:compliance_kycdocument_decide",
                                    args=[w["document"].pk, "reject"]), {"reason": "expired"}),
        {"compliance", "admin"},
    ),
    "case note": (
        lambda c, w: c.post(reverse("admin:compliance_case_act", args=[w["case"].pk, "note"]),
                            {"text": "t"}),
        {"compliance", "admin"},
    ),
    "report file": (
        lambda c, w: c.post(reverse("admin:compliance_case_report", args=[w["case"].pk])),
        {"compliance", "admin"},
    ),
}  # fmt: skip


@pytest.mark.parametrize("role", ROLE_NAMES)
@pytest.mark.parametrize("action", ACTIONS)
def test_each_role_against_each_action(world, role, action):
    post, allowed = ACTIONS[action]
    status = post(signed_in(role), world).status_code
    assert status in ((200, 302) if role in allowed else (403,)), (role, action, status)


def test_refused_actions_write_nothing(world):
    client = signed_in("finance")
    transfer = world["transfer"]
    transfer_mark_funded(transfer_id=transfer.pk)
    assert _post_transfer_action(client, world, "hold", reason="r").status_code == 403
    transfer.refresh_from_db()
    assert transfer.status == "funded" and not transfer.events.filter(to_status="on_hold")
    support = signed_in("support")
    answer = support.post(
        reverse("admin:compliance_kycdocument_decide", args=[world["document"].pk, "accept"]),
        {"tier": "1"},
    )
    assert answer.status_code == 403
    assert KycDocument.objects.get(pk=world["document"].pk).status == "pending"


def test_support_retries_a_failed_payout(db):
    t = failed_transfer()
    client = signed_in("support")
    client.post(reverse("admin:payments_transfer_act", args=[t.pk, "retry"]),
                {"reason": "provider back up"})  # fmt: skip
    t.refresh_from_db()
    assert t.status == "payout_pending"


def test_the_sidebar_shows_each_role_only_its_screens(db):
    pages = {role: signed_in(role).get(reverse("admin:index")).text for role in ROLE_NAMES}
    assert (
        "KYC review queue" in pages["compliance"] and "Journal entries" not in pages["compliance"]
    )
    assert "Journal entries" in pages["finance"] and "KYC review queue" not in pages["finance"]
    assert "Cases" not in pages["support"] and "Transfers" in pages["support"]
    assert "Staff" in pages["admin"] and "Staff" not in pages["support"]


def test_support_sees_phone_numbers_partly_masked(db):
    t = f.transfer()
    phone = t.customer.phone
    support, compliance = signed_in("support"), signed_in("compliance")
    customers = reverse("admin:payments_customer_changelist")
    assert phone not in support.get(customers).text
    assert mask_phone(phone) in support.get(customers).text
    assert phone in compliance.get(customers).text
    page = reverse("admin:payments_transfer_change", args=[t.pk])
    assert t.payout_msisdn not in support.get(page).text
    assert mask_phone(t.payout_msisdn) in support.get(page).text
    assert t.payout_msisdn in compliance.get(page).text
    document = document_upload(customer=t.customer, kind="passport", content=JPEG)
    review = reverse("admin:compliance_kycdocument_change", args=[document.pk])
    assert phone not in support.get(review).text and phone in compliance.get(review).text


def test_mask_keeps_the_country_and_operator_and_the_last_two_digits():
    assert mask_phone("+221771234557") == "+22177•••••57"
    assert mask_phone("") == ""


# --- Second factor --------------------------------------------------------------------------


def test_staff_enrol_a_totp_device_then_sign_in_with_a_code(db, settings):
    settings.STAFF_OTP_REQUIRED = True
    User.objects.create_user("ops", password="a-long-password", is_staff=True,
                             is_superuser=True)  # fmt: skip
    client = Client()
    client.post(reverse("admin:login"), {"username": "ops", "password": "a-long-password"})
    first = client.get(reverse("admin:index"))
    assert first.status_code == 302 and first["Location"].startswith("/admin/second-factor/")
    enrol = client.get(first["Location"])
    assert "<svg" in enrol.text and 'id="totp-secret"' in enrol.text  # QR code and key
    device = TOTPDevice.objects.get(user__username="ops")
    assert not device.confirmed
    wrong = client.post(reverse("second_factor"), {"token": "000000"})
    assert "not valid" in wrong.text
    assert client.get(reverse("admin:index")).status_code == 302  # still locked out
    device.refresh_from_db()
    device.throttling_failure_count = 0  # django-otp makes a wrong code cost a wait
    device.throttling_failure_timestamp = None
    device.save()
    client.post(reverse("second_factor"), {"token": f"{totp(device.bin_key):06d}"})
    assert client.get(reverse("admin:index")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed

    again = Client()  # another browser: the code is asked, no new enrolment
    again.post(reverse("admin:login"), {"username": "ops", "password": "a-long-password"})
    page = again.get(reverse("second_factor"))
    assert "<svg" not in page.text and TOTPDevice.objects.filter(user__username="ops").count() == 1


def test_without_the_setting_the_demo_needs_no_second_factor(db, settings):
    settings.STAFF_OTP_REQUIRED = False
    user = User.objects.create_user("demo", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    assert client.get(reverse("admin:index")).status_code == 200


def test_each_staff_member_keeps_their_language(db):
    client = signed_in("support")
    client.post(reverse("staff_language"), {"language": "fr", "next": "/admin/"})
    user = User.objects.get(username__startswith="support")
    other_browser = Client()
    staff_login(other_browser, user)
    page = other_browser.get(reverse("admin:index"))
    assert 'lang="fr"' in page.text and "Transferts bloqués" in page.text
    english = signed_in("finance").get(reverse("admin:index"))
    assert 'lang="en"' in english.text
