"""Short, human-friendly transfer references such as MB-7K3Q-P9XD.

Crockford's base-32 alphabet has no I, L, O or U, so a reference read over the phone
cannot be mistaken. 32^8 ≈ 1.1e12 values; the unique constraint catches a collision.
"""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_transfer_reference() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"MB-{chars[:4]}-{chars[4:]}"


def attempt_reference(transfer_reference: str, number: int) -> str:
    return f"{transfer_reference}-{number}"
