"""Lists imported once per file; a transfer to or from a listed person is held until an
officer decides; a false positive is remembered until the list entry changes."""

from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.registration import profile_update
from compliance.kyc import document_review
from compliance.lists import list_import
from compliance.matching import _index
from compliance.models import KycDocument, SanctionsEntry, SanctionsListVersion, ScreeningHit
from compliance.screening import hit_decide, parties_of, screen_customer, screen_party
from payments.customers import recipient_create, recipient_update
from payments.errors import NotAllowedNow
from payments.pricing import quote_create
from payments.states import TransferStatus as S
from payments.transfers import transfer_create, transfer_mark_funded, transfer_release
from tests import factories as f

pytestmark = pytest.mark.usefixtures("corridors")
DATA = Path(__file__).resolve().parents[2] / "fixtures" / "sanctions"
UN = DATA / "un" / "UN_consolidated_subset.xml"


def test_each_format_imports_and_the_same_file_twice_changes_nothing(capsys):
    call_command("import_sanctions", "un", str(UN))
    call_command("import_sanctions", "un", str(UN))
    out = capsys.readouterr().out
    assert "imported 50 entries (50 new or changed)" in out and "already imported" in out
    koufa = SanctionsEntry.objects.get(source="un", name__icontains="KOUFA")
    assert "Amadou Barry" in koufa.aliases and koufa.birth_dates == ["1958"]
    ofac = list_import(source="ofac", path=DATA / "ofac-sdn-fixture" / "sdn.csv")
    assert ofac.created and ofac.entries == 17  # every record of the fixture file
    fr = list_import(
        source="fr_gels", path=DATA / "fr-gels" / "Registrenationaldesgels_subset.json"
    )
    shilkin = SanctionsEntry.objects.get(source="fr_gels", name__icontains="SHILKIN")
    assert fr.entries == 14 and shilkin.birth_dates == ["1976-10-20"]
    assert shilkin.kind == "person" and any("шилкин" not in n for n in shilkin.match_names)
    assert SanctionsListVersion.objects.count() == 3


def funded_to(name: str, country="ML"):
    sender = f.customer()
    first, last = name.split(" ", 1)
    to = recipient_create(
        customer=sender, first_name=first, last_name=last, country="SN",
        phone=f.wallet("SN"), provider="wave",
    )  # fmt: skip
    quote = quote_create(customer=sender, corridor_code="fr-sn", send_amount_minor=10_000,
                         payout_provider="wave")  # fmt: skip
    t = transfer_create(customer=sender, quote_id=quote.pk, recipient_id=to.pk)
    transfer_mark_funded(transfer_id=t.pk)
    f.run_jobs()
    return t


def test_a_transfer_to_a_listed_person_is_held_until_an_officer_decides(django_user_model):
    list_import(source="un", path=UN)
    officer = django_user_model.objects.create_user("officer")
    t = funded_to("Hamadoun Koufa")  # an alias variant of AMADOU KOUFA (UN, Mali)
    t.refresh_from_db()
    assert t.status == S.ON_HOLD and "possible sanctions match" in t.hold_reason
    hit = ScreeningHit.objects.get()
    assert hit.party == "recipient" and hit.entry.source == "un" and hit.status == "open"
    with pytest.raises(NotAllowedNow):
        hit_decide(hit_id=hit.pk, true_match=False, reason="", actor=officer)
    hit_decide(hit_id=hit.pk, true_match=False, reason="born 1994 in Dakar", actor=officer)
    transfer_release(transfer_id=t.pk, reason="false positive", actor=officer)
    f.run_jobs()
    t.refresh_from_db()
    assert t.status in (S.PAYOUT_SUBMITTED, S.PAID_OUT)


def test_a_false_positive_does_not_come_back_until_the_entry_changes(django_user_model):
    list_import(source="un", path=UN)
    t = funded_to("Hamadoun Koufa")
    hit = ScreeningHit.objects.get()
    hit_decide(hit_id=hit.pk, true_match=False, reason="different person")
    recipient = next(p for p in parties_of(t) if p.kind == "recipient")
    assert screen_party(recipient) == []  # remembered
    SanctionsEntry.objects.filter(pk=hit.entry_id).update(fingerprint="changed")
    _index.cache_clear()
    again = screen_party(recipient)
    assert len(again) == 1 and again[0].pk != hit.pk  # the entry changed: a new review


def test_ordinary_names_pass_without_a_hit():
    list_import(source="un", path=UN)
    t = funded_to("Aminata Sow")
    t.refresh_from_db()
    assert t.status in (S.PAYOUT_SUBMITTED, S.PAID_OUT) and not ScreeningHit.objects.exists()


def test_parties_are_screened_when_added_and_again_when_a_list_changes():
    sender = f.customer(first_name="Oumar", last_name="Diaby")  # before the list arrives
    assert not ScreeningHit.objects.exists()
    list_import(source="un", path=UN)  # OUMAR DIABY is on it: everyone is screened again
    assert "compliance.tasks.rescreen_everyone" in f.run_jobs()
    hit = ScreeningHit.objects.get()
    assert (hit.party, hit.party_id, hit.transfer) == ("sender", sender.pk, None)
    recipient_create(
        customer=sender, first_name="Idrissa", last_name="Djalo", country="SN",
        phone=f.wallet("SN"), provider="wave",
    )  # fmt: skip
    assert ScreeningHit.objects.filter(party="recipient").count() == 1
    f.run_jobs()
    assert ScreeningHit.objects.count() == 2  # screening again records nothing new


@pytest.mark.parametrize(
    ("source", "file", "person", "alias", "birth", "nationality"),
    [
        ("eu", "eu_fsf_sample.xml", "Fictitious Example KOUYATE", "Fictitious Kouyaté",
         "1970-03-02", "ML"),
        ("uk", "uk_sanctions_list_sample.csv", "Fictitious Second DEMBELE",
         "Fictitious DEMBELLE", "1975-06-05", "ML"),
        ("opensanctions", "opensanctions_targets_sample.csv", "Fictitious Sanogo",
         "F. Sanogo", "1966-01-01", "BF"),
    ],
)  # fmt: skip
def test_eu_uk_and_opensanctions_formats(source, file, person, alias, birth, nationality):
    result = list_import(source=source, path=DATA / "hand-built" / file)
    assert result.created and result.entries == 2
    entry = SanctionsEntry.objects.get(source=source, kind="person")
    assert entry.name == person and alias in entry.aliases
    assert entry.birth_dates == [birth] and entry.nationalities == [nationality]
    assert SanctionsEntry.objects.filter(source=source).exclude(kind="person").count() == 1


def test_a_senders_birth_date_and_nationality_narrow_a_name_match():
    list_import(source="un", path=UN)  # OUMAR DIABY, Senegal, born 1975-08-05
    namesake = f.customer(first_name="Oumar", last_name="Diaby", nationality="SN",
                          birth_date=date(1992, 3, 14))  # fmt: skip
    assert screen_customer(namesake) == []  # another birth year, another day: 1 - 0.15 - 0.25
    listed = f.customer(first_name="Oumar", last_name="Diaby", nationality="SN",
                        birth_date=date(1975, 8, 5))  # fmt: skip
    (hit,) = screen_customer(listed)
    assert hit.party == "sender" and float(hit.score) == 1.0


@pytest.mark.parametrize("policy", ["freeze", "return"])
def test_a_true_match_freezes_or_returns_and_blocks_release(settings, django_user_model, policy):
    settings.SANCTIONS_TRUE_MATCH_POLICY = policy
    list_import(source="un", path=UN)
    officer = django_user_model.objects.create_user("officer")
    t = funded_to("Hamadoun Koufa")
    hit = ScreeningHit.objects.get()
    with pytest.raises(NotAllowedNow) as undecided:
        transfer_release(transfer_id=t.pk, reason="looks fine", actor=officer)
    assert undecided.value.code == "compliance_block"
    hit_decide(hit_id=hit.pk, true_match=True, reason="same DOB and alias", actor=officer)
    t.refresh_from_db()
    if policy == "freeze":
        assert t.status == S.ON_HOLD and t.hold_reason.startswith("frozen")
        with pytest.raises(NotAllowedNow):
            transfer_release(transfer_id=t.pk, reason="override", actor=officer)
    else:
        assert t.status == S.REFUNDED


def test_a_generic_name_alone_is_no_hit_without_a_second_attribute():
    list_import(source="un", path=UN)  # AMADOU KOUFA a.k.a. "Amadou Barry", born 1958
    barry = f.customer(first_name="Amadou", last_name="Barry")
    assert screen_customer(barry) == []
    same_year = f.customer(first_name="Amadou", last_name="Barry", birth_date=date(1958, 1, 1))
    (hit,) = screen_customer(same_year)
    assert "koufa" in hit.entry.name.lower()


def test_the_birth_date_read_on_the_document_clears_a_namesake_at_review():
    list_import(source="un", path=UN)  # OUMAR DIABY, Senegal, born 1975-08-05
    namesake = f.customer(first_name="Oumar", last_name="Diaby", kyc_tier=0)
    document = KycDocument.objects.create(
        customer=namesake, kind="passport", content_type="image/jpeg", size=1, sha256="x",
        stored_name="kyc/none.bin",
    )  # fmt: skip
    document_review(document_id=document.pk, accept=True, birth_date=date(1990, 2, 1),
                    nationality="sn")  # fmt: skip
    namesake.refresh_from_db()
    assert (namesake.birth_date, namesake.nationality) == (date(1990, 2, 1), "SN")
    assert not ScreeningHit.objects.filter(party="sender", party_id=namesake.pk).exists()


def test_renaming_a_party_screens_the_new_name():
    list_import(source="un", path=UN)
    sender = f.customer(first_name="Aminata", last_name="Sow")
    to = recipient_create(
        customer=sender, first_name="Awa", last_name="Ba", country="SN",
        phone=f.wallet("SN"), provider="wave",
    )  # fmt: skip
    assert not ScreeningHit.objects.exists()
    recipient_update(recipient=to, first_name="Hamadoun", last_name="Koufa")
    assert ScreeningHit.objects.filter(party="recipient", party_id=to.pk).count() == 1
    profile_update(customer=sender, first_name="Oumar", last_name="Diaby")
    assert ScreeningHit.objects.filter(party="sender", party_id=sender.pk).count() == 1
