"""Settings come from the environment under the deployment guide's names."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRINT_DB = """
import os
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
django.setup()
from django.conf import settings
d = settings.DATABASES["default"]
print(d["ENGINE"], d["NAME"], d.get("HOST"), d.get("PORT"))
"""


def settings_with(env: dict) -> str:
    code = PRINT_DB
    base = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def test_database_url_wins():
    assert settings_with({"DATABASE_URL": "postgres://u:p@db.internal:6543/mb"}) == (
        "django.db.backends.postgresql mb db.internal 6543"
    )


def test_classic_db_variables_work():
    env = {"DB_NAME": "mbprod", "DB_USER": "mb", "DB_HOST": "10.0.0.5", "DB_PORT": "5433"}
    assert settings_with(env) == "django.db.backends.postgresql mbprod 10.0.0.5 5433"


def test_no_database_settings_means_the_embedded_demo_database(tmp_path):
    out = settings_with({"SQLITE_PATH": str(tmp_path / "x.sqlite3")})
    assert out.startswith("django.db.backends.sqlite3 ") and "x.sqlite3" in out


def test_every_setting_read_from_the_environment_is_in_env_example():
    import re

    root = Path(__file__).resolve().parents[1]
    read = set(
        re.findall(r'env\.\w+\(\s*"([A-Z_]+)"', (root / "config" / "settings.py").read_text())
    )
    documented = set(re.findall(r"^#? ?([A-Z_]+)=", (root / ".env.example").read_text(), re.M))
    assert read - documented == set(), "document these in .env.example"
