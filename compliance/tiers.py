"""The default KYC tiers (compliance/NOTES.md 3.2), installed by a migration; compliance may
change the limits in the console afterwards."""

# Sender-side limits in euro cents: per transfer, rolling 30 days, rolling 365 days.
DEFAULT_TIERS = [
    (0, "Registered", "email and phone; may quote and add recipients, not send", 0, 0, 0),
    (1, "Verified", "identity document verified, screening clear",
     100_000, 200_000, 1_000_000),
    (2, "Enhanced", "T1 + proof of address and declared source of funds",
     300_000, 700_000, 4_200_000),
    (3, "Enhanced due diligence", "T2 + documented source of funds reviewed by an analyst",
     500_000, 1_500_000, 10_000_000),
]  # fmt: skip


def install_default_tiers(tier_model=None) -> None:
    """Create the tiers that do not exist yet; never overwrites limits set in the console."""
    if tier_model is None:
        from compliance.models import KycTier as tier_model
    for level, name, requirements, per_transfer, per_30, per_365 in DEFAULT_TIERS:
        tier_model.objects.get_or_create(
            level=level,
            defaults={
                "name": name,
                "requirements": requirements,
                "per_transfer_minor": per_transfer,
                "per_30_days_minor": per_30,
                "per_365_days_minor": per_365,
            },
        )
