"""Simulator of the FX sources: the ECB daily XML and ExchangeRate-API v6, on loopback.

Scenarios (set `SCENARIO["name"]`, or per request with the `X-Sandbox-Scenario` header):
ok, 5xx, malformed, stale (last update a week ago), error (the API's own error body).
"""

import json
import time
from datetime import UTC, datetime, timedelta

RATES = {  # units per 1 EUR, plausible late-2026 values
    "USD": "1.0842", "GBP": "0.8412", "ZAR": "19.8731", "CHF": "0.9377",
    "GHS": "16.4210", "GNF": "9350.25", "NGN": "1702.40", "XOF": "655.957", "XAF": "655.957",
}  # fmt: skip
ECB_CURRENCIES = ("USD", "GBP", "ZAR", "CHF")
SCENARIO = {"name": "ok"}


def _scenario(environ) -> str:
    return environ.get("HTTP_X_SANDBOX_SCENARIO") or SCENARIO["name"]


def _ecb(now: datetime) -> bytes:
    cubes = "".join(f'<Cube currency="{c}" rate="{RATES[c]}"/>' for c in ECB_CURRENCIES)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
        'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">'
        "<gesmes:subject>Reference rates</gesmes:subject>"
        f'<Cube><Cube time="{now:%Y-%m-%d}">{cubes}</Cube></Cube></gesmes:Envelope>'
    ).encode()


def _exchangerate_api(now: datetime, scenario: str) -> bytes:
    if scenario == "error":
        return json.dumps({"result": "error", "error-type": "invalid-key"}).encode()
    published = now.replace(hour=0, minute=0, second=0, microsecond=0)  # daily, like the real API
    updated = published - timedelta(days=7) if scenario == "stale" else published
    return json.dumps(
        {
            "result": "success",
            "base_code": "EUR",
            "time_last_update_unix": int(updated.timestamp()),
            "time_next_update_unix": int((updated + timedelta(days=1)).timestamp()),
            "conversion_rates": {"EUR": 1, **{c: float(r) for c, r in RATES.items()}},
        }
    ).encode()


def app(environ, start_response):
    path = environ.get("PATH_INFO", "")
    scenario = _scenario(environ)
    now = datetime.now(UTC)
    if scenario == "5xx":
        start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
        return [b"upstream unavailable"]
    if scenario == "slow":
        time.sleep(15)
    if path.endswith("/eurofxref-daily.xml"):
        body, kind = _ecb(now), "application/xml"
    elif path.startswith("/v6/") and path.endswith("/latest/EUR"):
        body, kind = _exchangerate_api(now, scenario), "application/json"
    else:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    if scenario == "malformed":
        body = body[: len(body) // 2]
    start_response("200 OK", [("Content-Type", kind)])
    return [body]
