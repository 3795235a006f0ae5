"""Quotes and transfer creations per second through the API under gunicorn, beside pgbench
running the SQL one creation executes, at concurrency 1, 8 and 32.

    apt-get install -y wrk            # the load generator (pgbench comes with PostgreSQL)
    .venv/bin/python bench/api_throughput.py [--seconds 20]

gunicorn runs gthread, 2 workers x 4 threads (the best setting on two cores in
../shared/PERF-CALIBRATION.md), DEBUG off, throttling counted in Redis (`REDIS_URL`, the
production shape), Stripe's simulator answering the funding call a creation makes. A pool
of senders with their own tokens and recipients is made first; each creation uses a quote of
its own (copied in SQL from a real one), so no run meets a used quote or a sender's limit.

The pgbench script is the SQL a creation request runs, captured with
CaptureQueriesContext from a real request and replayed statement for statement, its fresh
values (transfer id, reference, quote, idempotency key) taken from the same kind of pool
by one extra SELECT. Its TPS is what PostgreSQL on these two cores allows that work; the
API's rate reads as a fraction of it.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import Stack, recreate_database  # noqa: E402 - after the path is set

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/moneybridge_api_bench"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
SENDERS = 300
# Distinct ids for the captured request, so its literals can be told from every other number.
CAPTURE_IDS = {"payments_customer": 765430000, "payments_recipient": 654320000,
               "payments_transfer": 987650000, "payments_idempotencyrecord": 876540000}  # fmt: skip

QUOTES_LUA = """
local n, tokens = 0, {}
function init(args)
  for line in io.lines(args[1]) do tokens[#tokens + 1] = line end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = '{"corridor":"fr-sn","send_amount":{"amount":"100.00","currency":"EUR"}}'
end
function request()
  n = n + 1
  wrk.headers["Authorization"] = "Bearer " .. tokens[(n * 7 + math.random(#tokens)) % #tokens + 1]
  return wrk.format()
end
"""
CREATE_LUA = """
local threads, lines, n = {}, {}, 0
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  for line in io.lines(args[1]) do lines[#lines + 1] = line end
  step, offset = tonumber(args[2]), tid
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end
function request()
  local i = (n * step + offset) % #lines + 1
  n = n + 1
  local token, quote, recipient = lines[i]:match("(%S+) (%S+) (%S+)")
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.headers["Idempotency-Key"] = quote
  return wrk.format(nil, nil, nil,
    '{"quote_id":"' .. quote .. '","recipient_id":' .. recipient .. '}')
end
"""


def senders_pool() -> dict[int, tuple[str, int]]:
    """Verified senders with a signed-in session, a recipient and an unused quote each:
    (token, recipient id) by sender id."""
    from payments.pricing import quote_create
    from tests import factories as f

    pool = {}
    for n in range(SENDERS):
        sender = f.customer(email=f"bench{n}@example.com")
        recipient = f.recipient(sender, phone=f.WALLETS["SN"].format(2000 + n))
        quote_create(customer=sender, corridor_code="fr-sn", send_amount_minor=10_000)
        pool[sender.pk] = (senders_token(sender), recipient.pk)
    return pool


def copy_quotes(count: int) -> None:
    """`count` fresh quotes, copies of each sender's real one, listed in bench_pool (emptied
    first) with a random transfer reference and idempotency key for pgbench."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("TRUNCATE bench_pool RESTART IDENTITY; ALTER SEQUENCE bench_pool_take RESTART")
        cur.execute(
            """
            WITH templates AS (
                SELECT one.*, row_number() OVER (ORDER BY one.customer_id) AS k FROM (
                    SELECT DISTINCT ON (q.customer_id) q.*
                    FROM payments_quote q LEFT JOIN payments_transfer t ON t.quote_id = q.id
                    WHERE t.id IS NULL AND q.customer_id < %s ORDER BY q.customer_id
                ) one
            ), copies AS (
                INSERT INTO payments_quote (id, customer_id, corridor_id, payout_provider, mode,
                    send_currency, send_amount_minor, fee_minor, total_minor, receive_currency,
                    receive_amount_minor, mid_rate, rate, fx_margin_minor, rounding_minor,
                    rate_source, rate_as_of, created_at, expires_at)
                SELECT gen_random_uuid(), customer_id, corridor_id, payout_provider, mode,
                    send_currency, send_amount_minor, fee_minor, total_minor, receive_currency,
                    receive_amount_minor, mid_rate, rate, fx_margin_minor, rounding_minor,
                    rate_source, rate_as_of, now(), now() + interval '1 hour'
                FROM templates, generate_series(1, %s) g
                WHERE templates.k = 1 + g %% (SELECT count(*) FROM templates)
                RETURNING id, customer_id
            )
            INSERT INTO bench_pool (quote, customer, recipient, ref, ikey)
            SELECT c.id, c.customer_id,
                (SELECT min(r.id) FROM payments_recipient r WHERE r.customer_id = c.customer_id),
                'MB-' || upper(substr(md5(random()::text), 1, 4)) || '-'
                    || upper(substr(md5(random()::text), 1, 4)),
                md5(random()::text)
            FROM copies c ORDER BY random()
            """,
            [CAPTURE_IDS["payments_customer"], count],
        )


def capture_creation() -> list[str]:
    """The SQL of one real creation request, in order, ready for pgbench."""
    import json

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from payments.pricing import quote_create
    from tests import factories as f

    def create(quote, key: str):
        return Client().post(
            "/api/v1/transfers",
            json.dumps({"quote_id": str(quote.pk), "recipient_id": recipient.pk}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
            HTTP_IDEMPOTENCY_KEY=key,
            HTTP_HOST="127.0.0.1",
        )

    def restart_ids(*tables):
        with connection.cursor() as cur:
            for table in tables:
                start = CAPTURE_IDS[table]
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {start})")

    restart_ids("payments_customer", "payments_recipient")
    sender = f.customer(email="capture@example.com")
    recipient = f.recipient(sender, phone=f.WALLETS["SN"].format(1999))
    token = senders_token(sender)
    # The sender's first transfer also makes their Stripe customer; capture a usual one.
    quote = quote_create(customer=sender, corridor_code="fr-sn", send_amount_minor=10_000)
    assert create(quote, "capture-key-first").status_code == 201
    restart_ids("payments_transfer", "payments_idempotencyrecord")
    quote = quote_create(customer=sender, corridor_code="fr-sn", send_amount_minor=10_000)
    with CaptureQueriesContext(connection) as captured:
        answer = create(quote, "capture-key-0001")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    literals = {
        str(sender.pk): ":customer",
        str(recipient.pk): ":recipient",
        str(quote.pk): ":quote",
        body["reference"]: ":ref",
        "capture-key-0001": ":ikey",
    }
    statements = []
    for query in captured.captured_queries:
        sql = query["sql"].replace("\n", " ")
        for literal, variable in literals.items():
            sql = sql.replace(literal, variable)
        for table, start in CAPTURE_IDS.items():
            if table in ("payments_transfer", "payments_idempotencyrecord"):
                sql = re.sub(rf"\b{start + 1}\b", f":{table}_id", sql)
        returning = re.search(r'RETURNING "(payments_transfer|payments_idempotencyrecord)"', sql)
        statements.append(f"{sql} \\gset {returning.group(1)}_" if returning else f"{sql};")
    return statements


def senders_token(sender) -> str:
    """A signed-in session, as `POST /auth/token` makes (without the password hashing)."""
    from django.utils import timezone

    from accounts.sessions import _issue

    return _issue(sender.pk, uuid.uuid4(), "bench", timezone.now()).access_token


POOL_TABLE = """
CREATE TABLE bench_pool (n bigserial PRIMARY KEY, quote uuid, customer bigint,
    recipient bigint, ref text, ikey text);
CREATE SEQUENCE bench_pool_take;
"""
TAKE = (
    "SELECT quote, customer, recipient, ref, ikey FROM bench_pool "
    "WHERE n = (SELECT nextval('bench_pool_take')) \\gset"
)


def quiet_database() -> None:
    """Each run starts from a vacuumed, analysed, checkpointed database, so no autovacuum or
    checkpoint after the previous run's writes lands in the middle of the next one."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM (ANALYZE)")
        cur.execute("CHECKPOINT")


def pool_lines(pool: dict, path: Path) -> None:
    """The creations' requests for wrk: token, quote, recipient per line."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT customer, quote FROM bench_pool ORDER BY n")
        rows = cur.fetchall()
    path.write_text("".join(f"{pool[c][0]} {q} {pool[c][1]}\n" for c, q in rows))


def group_cpu(leader: int) -> float:
    """CPU seconds used so far by the living processes of `leader`'s process group."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[2]) == leader:  # pgrp
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def seconds_of(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def wrk(url: str, script: Path, connections: int, seconds: int, *args: str) -> dict:
    out = subprocess.run(  # noqa: S603 - fixed arguments
        ["wrk", f"-t{min(connections, 2)}", f"-c{connections}", f"-d{seconds}s", "--timeout",
         "10s", "--latency", "-s", str(script), url, "--", *args],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    percentile = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M))
    if len(percentile) != 2:
        raise RuntimeError(f"wrk said:\n{out}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": seconds_of(percentile["50"]) * 1000,
        "p99": seconds_of(percentile["99"]) * 1000,
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
    }


def pgbench(script: Path, clients: int, seconds: int) -> dict:
    from django.conf import settings

    db = settings.DATABASES["default"]
    with tempfile.TemporaryDirectory() as logs:
        out = subprocess.run(  # noqa: S603 - fixed arguments
            ["pgbench", "-n", "-h", db["HOST"], "-p", str(db["PORT"]), "-U", db["USER"],
             "-f", str(script), "-c", str(clients), "-j", str(min(clients, 2)),
             "-T", str(seconds), "-l", "--log-prefix", f"{logs}/tx", db["NAME"]],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        latencies = sorted(
            int(line.split()[2])
            for log in Path(logs).glob("tx*")
            for line in log.read_text().splitlines()
        )
    tps = re.search(r"tps = ([\d.]+) \(without initial", out.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", out.stdout)
    if tps is None or not latencies:
        raise RuntimeError(f"pgbench failed: {out.stdout[-800:]} {out.stderr[-800:]}")
    return {
        "rate": float(tps.group(1)),
        "p50": statistics.median(latencies) / 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] / 1000,
        "errors": int(failed.group(1)) if failed else 0,
        "aborted": "aborted" in out.stderr,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    args = parser.parse_args()

    recreate_database(DATABASE_URL)
    # Tokens live as long as the whole run.
    stack = Stack(DATABASE_URL, env={"REDIS_URL": REDIS_URL, "API_ACCESS_TOKEN_SECONDS": "14400"})
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("loaddata", "fixtures/initial_data.json", verbosity=0)
    cache.clear()
    with connection.cursor() as cur:
        cur.execute(POOL_TABLE)
    print(f"Making {SENDERS} senders with a session, a recipient and a quote each…")
    pool = senders_pool()
    work = Path(tempfile.mkdtemp(prefix="moneybridge-api-bench-"))
    quotes_lua, create_lua = work / "quotes.lua", work / "create.lua"
    quotes_lua.write_text(QUOTES_LUA)
    create_lua.write_text(CREATE_LUA)
    (work / "tokens").write_text("".join(f"{token}\n" for token, _ in pool.values()))
    rows = []
    try:
        stack.start_simulators()
        stack.start_web()
        statements = capture_creation()  # in this process, against the running simulators
        script = work / "create.pgbench"
        script.write_text("\n".join([TAKE, *statements]) + "\n")
        print(f"One creation request runs {len(statements)} SQL statements; pgbench replays "
              f"them from {script}")  # fmt: skip
        wrk(f"{stack.web_url}/api/v1/quotes", quotes_lua, 8, 3, str(work / "tokens"))  # warm-up
        for clients in args.concurrency:
            quiet_database()
            quotes = wrk(
                f"{stack.web_url}/api/v1/quotes", quotes_lua, clients, args.seconds,
                str(work / "tokens"),
            )  # fmt: skip
            copy_quotes(1500 * args.seconds)
            quiet_database()
            database = pgbench(script, clients, args.seconds)
            copy_quotes(400 * args.seconds)
            pool_lines(pool, work / "requests")
            quiet_database()
            before = group_cpu(stack.web.pid), group_cpu(stack.sandbox.pid)
            creations = wrk(
                f"{stack.web_url}/api/v1/transfers", create_lua, clients, args.seconds,
                str(work / "requests"), str(min(clients, 2)),
            )  # fmt: skip
            web_cpu = group_cpu(stack.web.pid) - before[0]
            creations["web_ms"] = web_cpu * 1000 / (creations["rate"] * args.seconds)
            creations["sim_cores"] = (group_cpu(stack.sandbox.pid) - before[1]) / args.seconds
            rows.append((clients, quotes, creations, database))
            print(f"  concurrency {clients}: done")
    finally:
        stack.stop()
    print(f"\nAPI under gunicorn gthread 2x4 on 2 cores, {args.seconds} s per run\n")
    print(
        "| clients | quotes/s | p50 ms | p99 ms | creations/s | p50 ms | p99 ms "
        "| pgbench TPS (same SQL) | p50 ms | p99 ms | creations / pgbench | non-2xx "
        "| gunicorn CPU ms per creation | Stripe simulator, cores |"
    )
    print("| --- " * 14 + "|")
    for clients, q, c, d in rows:
        print(f"| {clients} | {q['rate']:.0f} | {q['p50']:.1f} | {q['p99']:.1f} "
              f"| {c['rate']:.0f} | {c['p50']:.1f} | {c['p99']:.1f} "
              f"| {d['rate']:.0f} | {d['p50']:.1f} | {d['p99']:.1f} "
              f"| {c['rate'] / d['rate']:.2f} | {q['errors'] + c['errors']} "
              f"| {c['web_ms']:.1f} | {c['sim_cores']:.2f} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
