"""The console in a real browser: sign in with a TOTP code, see the dashboard, approve an
identity document, retry a failed payout."""

import csv
import io
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django_otp.plugins.otp_totp.models import TOTPDevice

from compliance.kyc import document_upload
from compliance.models import KycDocument
from tests import factories as f
from tests.backoffice.test_dashboard import paid_transfer
from tests.backoffice.test_transfer_console import failed_transfer
from tests.browser.conftest import png, shot, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("corridors")]
PASSWORD = "a-long-browser-password"
PNG = png(320, 200)


def staff(role: str) -> tuple[User, TOTPDevice]:
    user = User.objects.create_user(role, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user, TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_sign_in_with_totp_and_see_the_dashboard(page, live_server, settings):
    settings.STAFF_OTP_REQUIRED = True
    for _ in range(3):
        paid_transfer(3)
    failed_transfer()
    user, device = staff("admin")
    sign_in(page, live_server, user.username, PASSWORD, device)
    page.wait_for_selector("#queues")
    assert page.locator("canvas.chart").count() == 2
    page.wait_for_function(  # Chart.js drew both charts
        "() => [...document.querySelectorAll('canvas.chart')].every(c => c.width > 0)"
    )
    shot(page, "dashboard")


def test_a_compliance_officer_approves_a_document(page, live_server, settings):
    settings.STAFF_OTP_REQUIRED = True
    customer = f.customer(kyc_tier=0)
    document = document_upload(customer=customer, kind="passport", content=PNG)
    user, device = staff("compliance")
    sign_in(page, live_server, user.username, PASSWORD, device)
    page.click("text=KYC review queue")
    shot(page, "kyc-queue")
    page.click(f"text={customer.email}")
    page.wait_for_selector("img.mb-document-image")
    shot(page, "kyc-review")
    page.select_option("select[name=tier]", "1")
    page.click("button:has-text('Accept and set the tier')")
    page.wait_for_selector("text=Decision recorded.")
    document.refresh_from_db()
    customer.refresh_from_db()
    assert document.status == KycDocument.Status.ACCEPTED and customer.kyc_tier == 1
    assert document.views.filter(viewer=user).exists()  # the page showed it: logged


def test_support_retries_a_failed_payout(page, live_server, settings):
    settings.STAFF_OTP_REQUIRED = True
    t = failed_transfer()
    user, device = staff("support")
    sign_in(page, live_server, user.username, PASSWORD, device)
    page.click("text=Failed payouts")
    page.click(f"text={t.reference}")
    page.wait_for_selector("#transfer-actions")
    shot(page, "transfer-failed")
    form = page.locator("form[action$='/act/retry/']")
    form.locator("textarea[name=reason]").fill("provider was down, trying again")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=Done: Retry the payout.")
    t.refresh_from_db()
    assert t.status == "payout_pending"
    assert t.events.filter(actor=user, reason="provider was down, trying again").exists()
    shot(page, "transfer-retried")


def test_finance_downloads_an_export(page, live_server, settings):
    settings.STAFF_OTP_REQUIRED = True
    paid = [paid_transfer(3) for _ in range(2)]
    user, device = staff("finance")
    sign_in(page, live_server, user.username, PASSWORD, device)
    page.click("text=Exports")
    page.wait_for_selector("#export-form")
    shot(page, "exports")
    page.select_option("#export-form select[name=report]", "transfers")
    with page.expect_download() as download:
        page.click("#export-form button[type=submit]")
    rows = list(csv.DictReader(io.StringIO(
        Path(download.value.path()).read_text(encoding="utf-8-sig")
    )))  # fmt: skip
    assert sorted(r["reference"] for r in rows) == sorted(t.reference for t in paid)
