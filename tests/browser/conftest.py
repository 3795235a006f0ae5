"""A real headless Chromium (Debian's package, driven by Playwright) against the live test
server. Screenshots of the main screens go to var/screenshots/ as test artefacts."""

import os
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from django_otp.oath import totp

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright runs an event loop
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
            )
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    blocked = []  # the console must work under its content security policy
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text
            else None)  # fmt: skip
    yield page
    context.close()
    assert blocked == [], blocked


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page, live_server, username: str, password: str, device) -> None:
    """The staff sign-in as a person does it: password, then the TOTP code."""
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/second-factor/**")
    page.fill("input[name=token]", f"{totp(device.bin_key):06d}")
    page.click("#otp-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def png(width: int, height: int) -> bytes:
    """A real PNG (a grey card with a darker band), as an identity document stand-in."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(
        b"\x00" + bytes([90 if height // 3 < y < height // 2 else 200]) * width
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )  # fmt: skip
