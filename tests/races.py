"""Running code at the same instant on real threads, each with its own database connection."""

import threading

from django.db import connection


def race(*funcs):
    """Start every function at the same instant; return each one's result or exception."""
    barrier = threading.Barrier(len(funcs))
    results: list = [None] * len(funcs)

    def run(i, func):
        try:
            barrier.wait()
            results[i] = func()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each racer got
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(funcs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a racer is stuck"
    return results
