"""Fuzzy, script-aware matching of a party against the active list entries.

Candidates come from rapidfuzz over every normalised name and alias of the active entries
(compliance.names: transliteration, honorifics, spelling families). Each candidate is then
scored on its tokens, whatever their order: every token of the shorter name must find a
close token in the other (edit similarity, or an initial), and tokens left over in the longer
name cost a little, so a dropped middle name still matches while two names sharing one common
token do not. Birth dates and nationalities, when both sides have them, lower the score as
compliance/NOTES.md 5.3 describes (different birth year -0.15, different day -0.25 more,
different nationality -0.20).
"""

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from compliance.models import SanctionsEntry, SanctionsListVersion
from compliance.names import generic, tokens

CANDIDATES = 25


@dataclass(frozen=True, slots=True)
class Match:
    entry_id: int
    score: float
    matched_name: str
    fingerprint: str


@dataclass(frozen=True, slots=True)
class _Index:
    names: list[str]
    owners: list[int]
    entries: dict[int, tuple]  # id -> (kind, birth_dates, nationalities, fingerprint)


@lru_cache(maxsize=1)
def _index(state: tuple) -> _Index:
    names, owners, entries = [], [], {}
    rows = SanctionsEntry.objects.filter(active=True).values_list(
        "pk", "kind", "match_names", "birth_dates", "nationalities", "fingerprint"
    )
    for pk, kind, match_names, births, nationalities, fingerprint in rows.iterator(2000):
        entries[pk] = (kind, births, nationalities, fingerprint)
        for name in match_names:
            names.append(name)
            owners.append(pk)
    return _Index(names, owners, entries)


def index() -> _Index:
    """The active entries, rebuilt only when a list version was imported since."""
    state = tuple(SanctionsListVersion.objects.order_by("pk").values_list("pk", flat=True))
    return _index(state)


def _token_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if len(a) == 1 or len(b) == 1:  # an initial
        return 0.9 if a[0] == b[0] else 0.0
    return fuzz.ratio(a, b) / 100


def name_score(query: list[str], candidate: list[str]) -> float:
    """0..1: how well two token lists name the same person, in any order."""
    if not query or not candidate:
        return 0.0
    short, long_ = sorted((query, candidate), key=len)
    remaining = list(long_)
    total, initials = 0.0, 0
    for token in short:
        best = max(remaining, key=lambda other: _token_similarity(token, other))
        similarity = _token_similarity(token, best)
        if similarity < 0.75:
            return 0.0  # a token with no counterpart: another person
        total += similarity
        initials += min(len(token), len(best)) == 1
        remaining.remove(best)
    if initials * 2 > len(short):
        return 0.0  # resting on initials: "S. A." names nobody
    score = total / len(short)
    if len(short) == 1 and len(long_) > 1:
        score *= 0.7  # one name alone identifies nobody
    return max(score - 0.05 * len(remaining), 0.0)


def _qualified(
    score: float, births: list[str], dob: str, nationalities: list, nationality: str,
    matched: list[str],
):  # fmt: skip
    if generic(matched) and not (dob and births and dob[:4] in {b[:4] for b in births}):
        score -= 0.20  # a generic name alone: only an agreeing birth year makes it a hit
    if dob and births:
        years = {b[:4] for b in births}
        if dob[:4] not in years:
            score -= 0.15
            exact = {b for b in births if len(b) == 10}
            if len(dob) == 10 and exact and dob not in exact:
                score -= 0.25
    if nationality and nationalities and nationality.upper() not in nationalities:
        score -= 0.20
    return score


def screen_name(
    name: str,
    *,
    dob: str = "",
    nationality: str = "",
    kinds=None,
    threshold: float = 0.0,
    idx: _Index | None = None,
) -> list[Match]:
    """Entries this name may be, best first, with their score (at least `threshold`)."""
    forms = {tuple(tokens(name)), tuple(tokens(name, canonical=False))} - {()}
    idx = idx or index()
    if not forms or not idx.names:
        return []
    found = [
        hit
        for form in forms
        for hit in process.extract(
            " ".join(form), idx.names, scorer=fuzz.token_set_ratio, limit=CANDIDATES * 4
        )
    ]
    best: dict[int, Match] = {}
    for matched, _, position in found:
        entry_id = idx.owners[position]
        kind, births, nationalities, fingerprint = idx.entries[entry_id]
        if kinds and kind not in kinds:
            continue
        score = max(name_score(list(form), matched.split()) for form in forms)
        score = _qualified(score, births, dob, nationalities, nationality, matched.split())
        if score >= threshold and (entry_id not in best or best[entry_id].score < score):
            best[entry_id] = Match(entry_id, round(score, 3), matched, fingerprint)
    return sorted(best.values(), key=lambda m: -m.score)[:CANDIDATES]
