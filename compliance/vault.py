"""Private files (identity documents, case attachments): type read from the content, encrypted
with Fernet (AES-128-CBC + HMAC) and written under PRIVATE_MEDIA_ROOT, never under a served path.
"""

import base64
import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings
from django.utils.translation import gettext as _

from compliance.errors import FileTooLarge, UnsupportedFile

SIGNATURES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"%PDF-": "application/pdf",
}


def _fernet() -> Fernet:
    key = settings.KYC_DOCUMENT_KEY or base64.urlsafe_b64encode(
        hashlib.sha256(f"kyc-documents:{settings.SECRET_KEY}".encode()).digest()
    )
    return Fernet(key)


def sniff(content: bytes) -> str | None:
    return next((kind for magic, kind in SIGNATURES.items() if content.startswith(magic)), None)


@dataclass(frozen=True, slots=True)
class StoredFile:
    stored_name: str
    content_type: str
    size: int
    sha256: str


def store(folder: str, content: bytes) -> StoredFile:
    """Check and encrypt a JPEG, PNG or PDF; refuse anything else or anything too large."""
    if len(content) > settings.KYC_DOCUMENT_MAX_BYTES:
        ceiling = settings.KYC_DOCUMENT_MAX_BYTES // (1024 * 1024)
        raise FileTooLarge(_("a document may be at most %(size)s MB") % {"size": ceiling})
    content_type = sniff(content)
    if content_type is None:
        raise UnsupportedFile(_("send a JPEG, PNG or PDF file"))
    stored_name = f"{folder}/{uuid.uuid4().hex}.bin"
    path = Path(settings.PRIVATE_MEDIA_ROOT) / stored_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_fernet().encrypt(content))
    return StoredFile(stored_name, content_type, len(content), hashlib.sha256(content).hexdigest())


def read(stored_name: str) -> bytes:
    return _fernet().decrypt((Path(settings.PRIVATE_MEDIA_ROOT) / stored_name).read_bytes())
