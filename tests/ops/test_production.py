"""Production settings refuse to start without what protects money and data, and
`check --deploy` has nothing to say about them."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "DJANGO_SETTINGS_MODULE": "config.production",
    "SECRET_KEY": "x" * 30 + "-production-secret-key-0123456789abcdef",
    "KYC_DOCUMENT_KEY": "Xm9Dq2v3r0bWl4f5sYtHq7c8e1a2b3c4d5e6f7g8h9i=",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/moneybridge",
    "ALLOWED_HOSTS": "moneybridge.example",
    "DEBUG": "false",
}


def manage(*args, **env):
    # A clean environment: nothing of the test run's own (e.g. the browser tests' async flag).
    ignored = {*GOOD, "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in ignored} | env
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip


def test_check_deploy_reports_nothing():
    done = manage("check", "--deploy", "--fail-level", "WARNING", **GOOD)
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


def test_it_refuses_to_start_without_a_secret_or_with_debug_on():
    no_secret = manage("check", **{k: v for k, v in GOOD.items() if k != "SECRET_KEY"})
    assert no_secret.returncode != 0 and "SECRET_KEY must be set" in no_secret.stderr
    debug = manage("check", **GOOD | {"DEBUG": "true"})
    assert debug.returncode != 0 and "DEBUG must be off" in debug.stderr
    no_key = manage("check", **{k: v for k, v in GOOD.items() if k != "KYC_DOCUMENT_KEY"})
    assert no_key.returncode != 0 and "KYC_DOCUMENT_KEY" in no_key.stderr


def test_the_gunicorn_config_loads_the_application_with_threaded_workers():
    environment = {k: v for k, v in os.environ.items() if k not in GOOD} | GOOD
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    run = subprocess.run(  # noqa: S603 - fixed arguments
        [gunicorn, "--check-config", "--print-config", "-c", "deploy/gunicorn.conf.py",
         "config.wsgi"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert re.search(r"^worker_class\s+= gthread$", run.stdout, re.M), run.stdout
    assert re.search(r"^threads\s+= 4$", run.stdout, re.M), run.stdout
