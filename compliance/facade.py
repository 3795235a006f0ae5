"""What payments may ask compliance. Screening and monitoring plug in here."""


def hold_reason_for_transfer(transfer) -> str | None:
    """Why a funded transfer must wait for a compliance officer, or None to let it go.

    No rule holds a transfer yet: sanctions screening and monitoring rules will answer here.
    """
    return None
