"""Names as the matcher compares them: transliterated to Latin (anyascii), lower case, no
punctuation, honorifics and particles dropped, and the common spelling families of West
African and Arabic-origin names folded to one form (compliance/NOTES.md 5.4), so that
"Mamadu Djaló" and "Mamadou Diallo" are the same tokens. Fuzzy scoring is rapidfuzz's."""

import re

from anyascii import anyascii

# Honorifics, titles and connecting particles: they identify nobody.
STOP_TOKENS = frozenset(
    [
        "el",
        "elhadj",
        "elhadji",
        "hadj",
        "hadji",
        "al",
        "alhaji",
        "hajj",
        "haji",
        "sheikh",
        "cheikh",
        "shaykh",
        "mr",
        "mrs",
        "ms",
        "dr",
        "gen",
        "general",
        "col",
        "colonel",
        "brig",
        "brigadier",
        "capt",
        "captain",
        "maj",
        "major",
        "ag",
        "bin",
        "ben",
        "ibn",
        "ould",
        "bint",
        "abu",
        "abou",
        "de",
        "da",
        "do",
        "dos",
        "das",
        "du",
        "van",
        "von",
        "der",
    ]
)
# Spelling families (NOTES.md 5.4): every variant maps to the first form.
FAMILIES = [
    "mamadou mamadu mamoudou mohamadou muhammadu mohamed mohammed muhammad mohammad muhamed "
    "mouhamed mohamad",
    "amadou ahmadou hamadou hamadoun ahmed ahmad",
    "ousmane usman uthman othmane osman ousman",
    "abdoulaye abdoulahi abdullahi abdallah abdullah abdulai",
    "boubacar aboubakar abubakar aboubacar boubakar",
    "ibrahima ibrahim ibraima brahim",
    "souleymane sulayman suleiman sulaiman souleimane",
    "aliou alioune aliyu",
    "moussa musa mousa",
    "oumar omar umar",
    "idrissa idriss idris",
    "diallo djalo jallow jalloh djallo",
    "toure ture tourey",
    "traore traore",
    "cisse sisse sise",
    "camara kamara",
    "keita keyta",
    "kone kone",
    "coulibaly kulibaly koulibaly",
    "bah ba",
    "ndiaye ndiay",
    "ouedraogo wedraogo",
    "youssouf yusuf yousef youssef yusif",
]
CANONICAL = {variant: family.split()[0] for family in FAMILIES for variant in family.split()}
# Names so common in the corridors that a name made only of them identifies nobody
# (NOTES.md 5.4: "Amadou Barry"): such a match needs a second attribute to agree.
COMMON = frozenset(family.split()[0] for family in FAMILIES) | frozenset(
    [
        "barry",
        "diarra",
        "sow",
        "ndiaye",
        "diop",
        "fall",
        "sarr",
        "gueye",
        "faye",
        "mbaye",
        "sylla",
        "sanogo",
        "dembele",
        "kouyate",
        "ali",
        "ahmed",
        "hassan",
        "hussein",
        "ibrahim",
    ]
)


def generic(name_tokens) -> bool:
    return bool(name_tokens) and all(t in COMMON for t in name_tokens)


def tokens(name: str, *, canonical: bool = True) -> list[str]:
    """The name's meaningful tokens in their original order, spelling families folded
    (or, with canonical=False, as written: a typo inside a family name still matches it)."""
    plain = anyascii(name or "").lower()
    plain = re.sub(r"['’`]", "", plain)  # N'Diaye -> ndiaye
    words = [w for w in re.findall(r"[a-z0-9]+", plain) if w not in STOP_TOKENS]
    return [CANONICAL.get(w, w) for w in words] if canonical else words


def normalise(name: str) -> str:
    return " ".join(tokens(name))


def match_forms(name: str) -> set[str]:
    """What the matcher indexes for one name: folded and as written."""
    return {" ".join(tokens(name)), " ".join(tokens(name, canonical=False))} - {""}
