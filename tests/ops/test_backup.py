"""The backup script writes a dump and keeps the rotation; the restore check restores it into
a scratch database and proves the tables and the ledger came back."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.django_db(transaction=True),  # pg_dump sees only committed rows
    pytest.mark.usefixtures("corridors"),
    pytest.mark.skipif(not shutil.which("pg_dump"), reason="PostgreSQL client tools missing"),
]


def test_a_backup_restores(tmp_path):
    f.funded_transfer()
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = os.environ | {"DATABASE_URL": url, "BACKUP_KEEP_DAYS": "14",
                        "RESTORE_SERVER_URL": url.rsplit("/", 1)[0]}  # fmt: skip
    old = tmp_path / "moneybridge-20200101T000000Z.dump"
    old.write_bytes(b"old")
    os.utime(old, (0, 0))  # a dump from long ago: rotated away
    backup = subprocess.run([str(ROOT / "deploy" / "backup.sh"), str(tmp_path)], env=env,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert backup.returncode == 0, backup.stderr
    dumps = sorted(tmp_path.glob("moneybridge-*.dump"))
    assert len(dumps) == 1 and dumps[0] != old
    check = subprocess.run([str(ROOT / "deploy" / "restore_check.sh"), str(dumps[0])], env=env,
                           capture_output=True, text=True, timeout=300)  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    assert "1 transfers, 0 unbalanced entries" in check.stdout
    assert "restore check passed" in check.stdout
