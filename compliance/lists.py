"""Importing official sanctions lists from their files, idempotently.

Each format has a parser yielding `ParsedEntry`; `list_import` stores a new version when the
file is new (by checksum), deactivates the previous entries of that source, and says what
changed. Formats: UN consolidated XML, OFAC SDN legacy CSV (sdn.csv with its alt.csv
beside it), the French Registre national des gels JSON, the EU Financial Sanctions Files XML
(1.1), the UK Sanctions List CSV and OpenSanctions' targets.simple.csv. The EU and UK parsers
follow the published formats (compliance/NOTES.md 5.2); no real sample is shipped for them.
"""

import csv
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pycountry
from defusedxml import ElementTree
from django.db import transaction

from compliance.models import SanctionsEntry, SanctionsListVersion
from compliance.names import match_forms
from payments.jobs import enqueue

K = SanctionsEntry.Kind


@dataclass
class ParsedEntry:
    uid: str
    kind: str
    name: str
    aliases: list[str] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)


def country_code(text: str) -> str | None:
    """An ISO alpha-2 code from a country name or code as lists write them."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) == 2 and text.isalpha():
        return text.upper()
    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        try:
            return pycountry.countries.search_fuzzy(text)[0].alpha_2
        except LookupError:
            return None


# --- UN consolidated XML ------------------------------------------------------------------------


def parse_un(path: Path) -> Iterator[ParsedEntry]:
    root = ElementTree.parse(path).getroot()

    def text(node, tag):
        found = node.find(tag)
        return (found.text or "").strip() if found is not None and found.text else ""

    for person in root.iter("INDIVIDUAL"):
        parts = [text(person, f"{n}_NAME") for n in ("FIRST", "SECOND", "THIRD", "FOURTH")]
        aliases = [
            text(a, "ALIAS_NAME") for a in person.iter("INDIVIDUAL_ALIAS") if text(a, "ALIAS_NAME")
        ]
        births = []
        for b in person.iter("INDIVIDUAL_DATE_OF_BIRTH"):
            births += [v for v in (text(b, "DATE"), text(b, "YEAR")) if v]
            births += [text(b, t) for t in ("FROM_YEAR", "TO_YEAR") if text(b, t)]
        nationalities = [
            code
            for n in person.iter("NATIONALITY")
            for v in n.iter("VALUE")
            if (code := country_code(v.text or ""))
        ]
        yield ParsedEntry(
            uid=text(person, "REFERENCE_NUMBER") or text(person, "DATAID"),
            kind=K.PERSON,
            name=" ".join(p for p in parts if p),
            aliases=aliases,
            birth_dates=[d[:10] for d in births],
            nationalities=nationalities,
        )
    for entity in root.iter("ENTITY"):
        yield ParsedEntry(
            uid=text(entity, "REFERENCE_NUMBER") or text(entity, "DATAID"),
            kind=K.ORGANISATION,
            name=text(entity, "FIRST_NAME"),
            aliases=[
                text(a, "ALIAS_NAME") for a in entity.iter("ENTITY_ALIAS") if text(a, "ALIAS_NAME")
            ],
        )


# --- OFAC SDN legacy CSV ------------------------------------------------------------------------


def _ofac_rows(path: Path) -> Iterator[list[str]]:
    if not path.exists():
        return
    with path.open(encoding="latin-1", newline="") as fh:
        for row in csv.reader(fh):
            yield [("" if cell.strip() == "-0-" else cell.strip()) for cell in row]


def _ofac_name(raw: str) -> str:
    """OFAC writes people as 'SURNAME, Given Names': given names first reads naturally."""
    if ", " in raw:
        surname, given = raw.split(", ", 1)
        return f"{given} {surname}"
    return raw


def parse_ofac(path: Path) -> Iterator[ParsedEntry]:
    """`path` is sdn.csv; alt.csv (aliases) is read from the same folder."""
    aliases: dict[str, list[str]] = {}
    for row in _ofac_rows(path.with_name("alt.csv")):
        if len(row) >= 4 and row[3]:
            aliases.setdefault(row[0], []).append(_ofac_name(row[3]))
    for row in _ofac_rows(path):
        if len(row) < 4 or not row[1]:
            continue
        uid, raw, kind, remarks = row[0], row[1], row[2].lower(), row[-1]
        births = [
            bit.split("DOB", 1)[1].strip(" .;")[-4:]
            for bit in remarks.split(";")
            if "DOB" in bit and bit.strip(" .;")[-4:].isdigit()
        ]
        nationalities = [
            code
            for bit in remarks.split(";")
            if "nationality" in bit.lower()
            and (code := country_code(bit.split("nationality", 1)[-1].strip(" .;")))
        ]
        yield ParsedEntry(
            uid=uid,
            kind=K.PERSON if kind == "individual" else K.OTHER if kind in ("vessel", "aircraft")
            else K.ORGANISATION,
            name=_ofac_name(raw) if kind == "individual" else raw,
            aliases=aliases.get(uid, []),
            birth_dates=births,
            nationalities=nationalities,
        )  # fmt: skip


# --- French Registre national des gels JSON -----------------------------------------------------


def parse_fr_gels(path: Path) -> Iterator[ParsedEntry]:
    data = json.loads(path.read_text(encoding="utf-8"))
    for item in data["Publications"]["PublicationDetail"]:
        fields: dict[str, list] = {}
        for detail in item.get("RegistreDetail", []):
            fields.setdefault(detail.get("TypeChamp", ""), []).extend(detail.get("Valeur", []))
        first = " ".join(v.get("Prenom", "") for v in fields.get("PRENOM", []) if v.get("Prenom"))
        nature = (item.get("Nature") or "").lower()
        name = f"{first} {item.get('Nom', '')}".strip()
        yield ParsedEntry(
            uid=str(item.get("IdRegistre")),
            kind=K.PERSON if "physique" in nature else K.OTHER if "navire" in nature
            else K.ORGANISATION,
            name=name,
            aliases=[v.get("Alias", "") for v in fields.get("ALIAS", []) if v.get("Alias")],
            birth_dates=[
                "-".join(p.zfill(2) for p in (v.get("Annee"), v.get("Mois"), v.get("Jour")) if p)
                for v in fields.get("DATE_DE_NAISSANCE", [])
                if v.get("Annee")
            ],
            nationalities=[
                code for v in fields.get("NATIONALITE", [])
                if (code := country_code(v.get("Pays", "")))
            ],
        )  # fmt: skip


# --- EU Financial Sanctions Files XML (1.1) -----------------------------------------------------

EU_NS = "{http://eu.europa.ec/fpi/fsd/export}"


def parse_eu(path: Path) -> Iterator[ParsedEntry]:
    root = ElementTree.parse(path).getroot()
    for entity in root.iter(f"{EU_NS}sanctionEntity"):
        subject = entity.find(f"{EU_NS}subjectType")
        code = subject.get("code", "") if subject is not None else ""
        names = [
            alias.get("wholeName") or " ".join(
                p for p in (alias.get("firstName"), alias.get("middleName"), alias.get("lastName"))
                if p
            )
            for alias in entity.iter(f"{EU_NS}nameAlias")
        ]  # fmt: skip
        names = [n.strip() for n in names if n and n.strip()]
        if not names:
            continue
        births = []
        for birth in entity.iter(f"{EU_NS}birthdate"):
            if birth.get("birthdate"):
                births.append(birth.get("birthdate")[:10])
            elif birth.get("year"):
                births.append(birth.get("year"))
        yield ParsedEntry(
            uid=entity.get("logicalId") or entity.get("euReferenceNumber", ""),
            kind=K.PERSON if code == "person" else K.ORGANISATION,
            name=names[0],
            aliases=names[1:],
            birth_dates=births,
            nationalities=[
                c for cz in entity.iter(f"{EU_NS}citizenship")
                if (c := country_code(cz.get("countryIso2Code") or cz.get("countryDescription")))
            ],
        )  # fmt: skip


# --- UK Sanctions List CSV (FCDO) ---------------------------------------------------------------


def parse_uk(path: Path) -> Iterator[ParsedEntry]:
    """One row per name: rows are grouped by Unique ID; the primary name leads."""
    grouped: dict[str, ParsedEntry] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        lines = fh.read().splitlines()
    start = next(i for i, line in enumerate(lines) if "Unique ID" in line)
    for row in csv.DictReader(lines[start:]):
        uid = (row.get("Unique ID") or "").strip()
        parts = [row.get(f"Name {i}", "") for i in (1, 2, 3, 4, 5, 6)]
        name = " ".join(p.strip() for p in parts if p and p.strip())
        if not uid or not name:
            continue
        kind = (row.get("Designation Type") or "").lower()
        entry = grouped.setdefault(
            uid,
            ParsedEntry(
                uid=uid,
                kind=K.PERSON if kind == "individual" else K.OTHER if kind == "ship"
                else K.ORGANISATION,
                name="",
            ),
        )  # fmt: skip
        if (row.get("Name Type") or "").lower().startswith("primary") and not entry.name:
            entry.name = name
        elif name not in entry.aliases:
            entry.aliases.append(name)
        dob = (row.get("D.O.B") or row.get("DOB") or "").strip()
        if dob and dob[-4:].isdigit():
            day_month_year = dob.split("/")
            birth = (
                f"{day_month_year[2]}-{day_month_year[1]}-{day_month_year[0]}"
                if len(day_month_year) == 3 and all(p.isdigit() for p in day_month_year)
                else dob[-4:]
            )
            if birth not in entry.birth_dates:
                entry.birth_dates.append(birth)
        code = country_code(row.get("Nationality") or "")
        if code and code not in entry.nationalities:
            entry.nationalities.append(code)
    for entry in grouped.values():
        if not entry.name and entry.aliases:
            entry.name = entry.aliases.pop(0)
        yield entry


# --- OpenSanctions targets.simple.csv ----------------------------------------------------------


def parse_opensanctions(path: Path) -> Iterator[ParsedEntry]:
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            schema = row.get("schema", "")
            yield ParsedEntry(
                uid=row["id"],
                kind=K.PERSON if schema == "Person" else K.OTHER if schema in ("Vessel", "Airplane")
                else K.ORGANISATION,
                name=row.get("name", ""),
                aliases=[a for a in (row.get("aliases") or "").split(";") if a],
                birth_dates=[d[:10] for d in (row.get("birth_date") or "").split(";") if d],
                nationalities=[
                    c.upper() for c in (row.get("countries") or "").split(";") if len(c) == 2
                ],
            )  # fmt: skip


PARSERS = {
    "un": parse_un,
    "ofac": parse_ofac,
    "fr_gels": parse_fr_gels,
    "eu": parse_eu,
    "uk": parse_uk,
    "opensanctions": parse_opensanctions,
}


def _fingerprint(entry: ParsedEntry) -> str:
    blob = json.dumps([entry.name, sorted(entry.aliases), entry.birth_dates, entry.nationalities])
    return hashlib.sha256(blob.encode()).hexdigest()


@dataclass
class ImportResult:
    version: SanctionsListVersion
    created: bool
    entries: int
    changed: int  # new entries or entries whose data changed: their parties are re-screened


def list_import(*, source: str, path: Path) -> ImportResult:
    """Import a list file; a file already imported (same checksum) changes nothing."""
    parser = PARSERS[source]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    existing = SanctionsListVersion.objects.filter(source=source, checksum=digest).first()
    if existing is not None:
        return ImportResult(existing, False, existing.entries, 0)
    parsed = [e for e in parser(path) if e.name]
    with transaction.atomic():
        previous = dict(
            SanctionsEntry.objects.filter(source=source, active=True).values_list(
                "source_uid", "fingerprint"
            )
        )
        SanctionsEntry.objects.filter(source=source, active=True).update(active=False)
        version = SanctionsListVersion.objects.create(
            source=source, checksum=digest, file_name=path.name, entries=len(parsed)
        )
        rows, changed = [], 0
        for e in parsed:
            fingerprint = _fingerprint(e)
            changed += previous.get(e.uid) != fingerprint
            names = set().union(*(match_forms(n) for n in [e.name, *e.aliases]))
            rows.append(
                SanctionsEntry(
                    version=version,
                    source=source,
                    source_uid=e.uid,
                    kind=e.kind,
                    name=e.name[:300],
                    aliases=e.aliases,
                    match_names=sorted(names),
                    birth_dates=e.birth_dates,
                    nationalities=e.nationalities,
                    fingerprint=fingerprint,
                )  # fmt: skip
            )
        SanctionsEntry.objects.bulk_create(rows, batch_size=2000)
    if changed:
        enqueue("compliance.tasks.rescreen_everyone")
    return ImportResult(version, True, len(parsed), changed)
