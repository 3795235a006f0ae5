"""How simulators call us back: in the background, with a few retries, like the providers."""

import threading
import time

import httpx

from providers.http import tls


def post_in_background(url: str, body: bytes, headers: dict, delays=(0, 1, 5)) -> None:
    """POST once, again after a 5xx or a connection error (providers retry); never blocks."""

    def post():
        for delay in delays:
            time.sleep(delay)
            try:
                answer = httpx.post(url, content=body, headers=headers, timeout=5, verify=tls())
                if answer.status_code < 500:
                    return
            except httpx.HTTPError:
                continue

    threading.Thread(target=post, daemon=True).start()


def run_later(delay: float, fn) -> None:
    """Run `fn` after `delay` seconds in the background, or right now when the delay is 0."""
    if delay <= 0:
        fn()
    else:
        timer = threading.Timer(delay, fn)
        timer.daemon = True
        timer.start()
