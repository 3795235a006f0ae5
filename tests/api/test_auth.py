"""Sign-up, sign-in, rotation and revocation of tokens, and the profile."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ApiSession
from payments.models import Customer
from tests.api.conftest import PASSWORD, sign_up


def test_register_answers_201_with_the_profile_at_tier_0(anon):
    body = {
        "email": "Moussa.Diop@Example.com", "password": PASSWORD, "phone": "06 12 34 56 78",
        "country": "FR", "first_name": "Moussa", "last_name": "Diop",
    }  # fmt: skip
    answer = anon.post("/auth/register", body)
    assert answer.status_code == 201
    profile = answer.json()
    assert profile["email"] == "moussa.diop@example.com"
    assert profile["phone"] == "+33612345678"
    assert (profile["kyc_tier"], profile["kyc_status"]) == (0, "none")
    user = Customer.objects.get().user
    assert user.password.startswith("argon2") and not user.is_staff
    again = anon.post("/auth/register", body)
    assert again.status_code == 409 and again.json()["code"] == "email_taken"
    assert again["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"password": "12345678"}, "weak_password"),
        ({"email": "not-an-email"}, "invalid_email"),
        ({"phone": "12"}, "invalid_phone"),
        ({"country": "ZZ"}, "invalid_country"),
        ({"first_name": ""}, "validation_error"),
    ],
)
def test_bad_registrations_are_refused_and_write_nothing(anon, change, code):
    body = {
        "email": "a@example.com", "password": PASSWORD, "phone": "+33612345678",
        "country": "FR", "first_name": "A", "last_name": "B",
    } | change  # fmt: skip
    answer = anon.post("/auth/register", body)
    assert answer.status_code == 422 and answer.json()["code"] == code, answer.json()
    assert not Customer.objects.exists()


def test_validation_errors_list_each_field(anon):
    answer = anon.post("/auth/register", {"email": "a@example.com"})
    problem = answer.json()
    assert answer.status_code == 422 and problem["code"] == "validation_error"
    assert {"password", "phone", "country", "first_name", "last_name"} <= {
        e["field"] for e in problem["errors"]
    }


def test_wrong_password_and_unknown_email_get_the_same_answer(anon):
    sign_up(anon)
    wrong = anon.post("/auth/token", {"email": "awa.1@example.com", "password": "nope"})
    unknown = anon.post("/auth/token", {"email": "nobody@example.com", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]


def test_tokens_are_stored_only_as_digests_and_refresh_rotates(sender):
    tokens = sender.account
    session = ApiSession.objects.get()
    assert tokens["access_token"] not in (session.access_digest, session.refresh_digest)
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 900
    new = sender.post("/auth/refresh", {"refresh_token": tokens["refresh_token"]}, token="")
    assert new.status_code == 200
    fresh = new.json()
    assert sender.get("/me", token=tokens["access_token"]).status_code == 401  # old pair dead
    assert sender.get("/me", token=fresh["access_token"]).status_code == 200
    # The old refresh token used again: stolen or replayed. The whole sign-in is revoked.
    reused = sender.post("/auth/refresh", {"refresh_token": tokens["refresh_token"]}, token="")
    assert reused.status_code == 401
    assert sender.get("/me", token=fresh["access_token"]).status_code == 401
    again = sender.post("/auth/refresh", {"refresh_token": fresh["refresh_token"]}, token="")
    assert again.status_code == 401


def test_logout_revokes_the_session_and_an_expired_token_is_refused(sender):
    assert sender.post("/auth/logout").status_code == 204
    assert sender.get("/me").status_code == 401
    refresh = sender.post(
        "/auth/refresh", {"refresh_token": sender.account["refresh_token"]}, token=""
    )
    assert refresh.status_code == 401
    tokens = sender.post(
        "/auth/token", {"email": sender.account["email"], "password": PASSWORD}, token=""
    ).json()
    ApiSession.objects.filter(revoked_at__isnull=True).update(
        access_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert sender.get("/me", token=tokens["access_token"]).status_code == 401


def test_profile_reads_and_changes_names_and_phone_only(sender):
    me = sender.get("/me").json()
    assert me["email"] == sender.account["email"] and me["kyc_tier"] == 1
    changed = sender.patch("/me", {"first_name": "Awa-Marie", "phone": "+33 6 98 76 54 32"})
    assert changed.status_code == 200
    assert changed.json()["first_name"] == "Awa-Marie"
    assert changed.json()["phone"] == "+33698765432"
    assert sender.patch("/me", {"email": "x@example.com"}).json()["email"] == me["email"]
    assert sender.patch("/me", {"phone": "1"}).status_code == 422


def test_errors_follow_accept_language(anon):
    english = anon.get("/me")
    french = anon.get("/me", headers={"Accept-Language": "fr"})
    assert english.json()["title"] == "Not signed in"
    assert french.json()["title"] == "Non connecté"
    assert french.json()["code"] == english.json()["code"] == "not_authenticated"
