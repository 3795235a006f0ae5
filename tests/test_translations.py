"""The console and the API speak French in full: no message of the catalogue is left
untranslated or merely guessed (fuzzy), and the compiled catalogue is up to date."""

from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parents[1] / "locale" / "fr" / "LC_MESSAGES"


def test_every_message_has_a_french_translation():
    catalogue = read_po((LOCALE / "django.po").open("rb"), locale="fr")
    missing = [m.id for m in catalogue if m.id and (m.fuzzy or not all(
        m.string if isinstance(m.string, tuple) else (m.string,)))]  # fmt: skip
    assert missing == []


def test_the_compiled_catalogue_matches_the_source():
    source = read_po((LOCALE / "django.po").open("rb"), locale="fr")
    compiled = read_mo((LOCALE / "django.mo").open("rb"))
    assert _pairs(compiled) == _pairs(source)


def _pairs(catalogue) -> dict:
    def flat(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    return {flat(m.id): flat(m.string) for m in catalogue if m.id}
