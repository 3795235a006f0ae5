"""Exchange-rate sources: the ECB daily reference rates and ExchangeRate-API (v6).

Both give units of a currency per 1 EUR. The ECB publishes about 30 currencies on TARGET
working days around 16:00 CET (none of the CFA, GHS or GNF: it serves crosses); the
commercial API covers the African floating currencies. Pegged currencies (XOF, XAF) never
come from here: they are fixed by treaty (payments.money.EUR_PEGS).

Assumption (REFERENCE.md 5.3): ExchangeRate-API's `time_last_update_unix` is the rate's
as-of time; the ECB's `Cube time` is a date, taken as 16:00 Europe/Frankfurt that day.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import httpx
from defusedxml import ElementTree
from django.conf import settings

from providers import http

log = logging.getLogger(__name__)
ECB_NS = {"e": "http://www.ecb.int/vocabulary/2002-08-01/eurofxref"}
ECB_PUBLISHED_AT = time(16, 0, tzinfo=ZoneInfo("Europe/Berlin"))


class RateSourceError(Exception):
    """The source did not give usable rates this time."""


@dataclass(frozen=True, slots=True)
class EurRate:
    currency: str
    rate: Decimal  # units of currency per 1 EUR
    as_of: datetime
    source: str


def _decimal(text) -> Decimal:
    try:
        value = Decimal(str(text))
    except InvalidOperation:
        raise RateSourceError(f"not a number: {text!r}") from None
    if not value.is_finite() or value <= 0:
        raise RateSourceError(f"not a usable rate: {text!r}")
    return value


def parse_ecb(xml: bytes) -> dict[str, EurRate]:
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        raise RateSourceError(f"ECB feed is not XML: {exc}") from None
    day = root.find(".//e:Cube[@time]", ECB_NS)
    if day is None:
        raise RateSourceError("ECB feed has no dated Cube")
    try:
        published = date.fromisoformat(day.get("time"))
    except ValueError:
        raise RateSourceError(f"ECB feed has a bad date {day.get('time')!r}") from None
    as_of = datetime.combine(published, ECB_PUBLISHED_AT).astimezone(UTC)
    return {
        cube.get("currency"): EurRate(
            cube.get("currency"), _decimal(cube.get("rate")), as_of, "ecb"
        )
        for cube in day.findall("e:Cube[@currency]", ECB_NS)
    }


def parse_exchangerate_api(payload: dict) -> dict[str, EurRate]:
    if payload.get("result") != "success":
        raise RateSourceError(f"ExchangeRate-API error: {payload.get('error-type', 'unknown')}")
    if payload.get("base_code") != "EUR":
        raise RateSourceError(f"ExchangeRate-API base is {payload.get('base_code')!r}, not EUR")
    rates = payload.get("conversion_rates") or payload.get("rates") or {}
    try:
        as_of = datetime.fromtimestamp(int(payload["time_last_update_unix"]), UTC)
    except (KeyError, TypeError, ValueError):
        raise RateSourceError("ExchangeRate-API answer has no update time") from None
    return {c: EurRate(c, _decimal(r), as_of, "exchangerate_api") for c, r in rates.items()}


def fetch_ecb() -> dict[str, EurRate]:
    with http.client(base_url="", timeout=10) as c:
        response = http.request(c, "GET", settings.FX_ECB_URL, provider="ecb", operation="rates")
    if response.status_code != 200:
        raise RateSourceError(f"ECB answered {response.status_code}")
    return parse_ecb(response.content)


def fetch_exchangerate_api() -> dict[str, EurRate]:
    key = settings.FX_API_KEY
    with http.client(base_url=settings.FX_API_BASE_URL, timeout=10) as c:
        response = http.request(
            c, "GET", f"/v6/{key}/latest/EUR", provider="exchangerate_api", operation="rates",
            secrets=(key,),
        )  # fmt: skip
    if response.status_code != 200:
        raise RateSourceError(f"ExchangeRate-API answered {response.status_code}")
    try:
        payload = response.json()
    except ValueError:
        raise RateSourceError("ExchangeRate-API answer is not JSON") from None
    return parse_exchangerate_api(payload)


SOURCES = {"exchangerate_api": fetch_exchangerate_api, "ecb": fetch_ecb}


def fetch_rates(currencies: set[str], order: list[str]) -> dict[str, EurRate]:
    """Each currency from the first source in `order` that has it; a failing source is skipped."""
    found: dict[str, EurRate] = {}
    for name in order:
        missing = currencies - found.keys()
        if not missing:
            break
        try:
            rates = SOURCES[name]()
        except (RateSourceError, httpx.HTTPError) as exc:
            log.warning("FX source %s failed: %s", name, exc)
            continue
        found.update({c: rates[c] for c in missing if c in rates})
    return found
