"""The console under attack: password guessing is throttled; search and filters take injection
attempts and oversized input as plain text; nothing but its own origin may frame or script it."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from payments.models import Transfer
from tests import factories as f
from tests.backoffice.conftest import signed_in

pytestmark = pytest.mark.usefixtures("corridors")
LOGIN = "/admin/login/"


def test_password_guessing_is_throttled_per_name_and_address(db, settings):
    settings.STAFF_LOGIN_MAX_FAILURES = 3
    User.objects.create_user("ops", password="the-right-password-123", is_staff=True)
    client = Client()
    for _ in range(3):
        assert client.post(LOGIN, {"username": "ops", "password": "guess"}).status_code == 200
    blocked = client.post(LOGIN, {"username": "ops", "password": "the-right-password-123"})
    assert blocked.status_code == 429  # even the right password waits: no oracle
    assert "_auth_user_id" not in client.session
    other = client.post(LOGIN, {"username": "someone-else", "password": "guess"})
    assert other.status_code == 200  # another name is not locked out by these failures


@pytest.mark.parametrize(
    "query",
    [
        "?q=' OR 1=1 --",
        "?q=MB-0000-0000'; DROP TABLE payments_transfer; --",
        "?q=" + "9" * 5000,
        "?q=%00%ff",
        "?send_amount_minor_from=1e9999",
        "?send_amount_minor_from=' OR 1=1",
        "?created_at_from=2026-13-45",
        "?tier=999",
        "?held=<script>",
        "?status__exact=paid_out' OR '1'='1",
        "?o=999",
        "?p=-1",
        "?p=" + "9" * 50,
    ],
)
def test_search_and_filters_treat_hostile_input_as_text(db, query):
    t = f.transfer()
    client = signed_in("admin")
    answer = client.get(reverse("admin:payments_transfer_changelist") + query)
    assert answer.status_code in (200, 302), (query, answer.status_code)  # 302: "?e=1"
    assert Transfer.objects.filter(pk=t.pk).exists()


def test_a_search_term_is_shown_escaped(db):
    client = signed_in("admin")
    answer = client.get(reverse("admin:payments_transfer_changelist"),
                        {"q": "<img src=x onerror=alert(1)>"})  # fmt: skip
    assert answer.status_code == 200
    assert "<img src=x onerror" not in answer.text and "&lt;img src=x onerror" in answer.text


def test_every_console_page_forbids_framing(db):
    answer = signed_in("admin").get(reverse("admin:index"))
    assert answer["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in answer["Content-Security-Policy"]
