"""What the benchmarks share: each works in a database of its own, created on first use."""

import os


def ensure_database() -> None:
    """Create the database named by DATABASE_URL if it does not exist yet."""
    import psycopg2

    url = os.environ["DATABASE_URL"]
    conn = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        name = url.rsplit("/", 1)[1]
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
