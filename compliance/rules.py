"""The default monitoring rules (compliance/NOTES.md 4.2), installed by a migration; the
thresholds are starting points, edited in the console as data teaches us."""

# code, name, score, params, description
DEFAULT_RULES = [
    ("velocity-count", "Sender velocity: count", 30,
     {"day": 5, "week": 12, "month": 25},
     "at least `day` transfers in 24 h, `week` in 7 days or `month` in 30 days"),
    ("velocity-amount", "Sender velocity: amount", 30,
     {"day_minor": 150_000, "week_minor": 300_000},
     "sent at least `day_minor` in 24 h or `week_minor` in 7 days"),
    ("structuring", "Structuring below 1,000 EUR", 40,
     {"count": 3, "low_minor": 85_000, "high_minor": 99_999, "days": 7},
     "`count` transfers in `days` days each between `low_minor` and `high_minor`"),
    ("fan-in", "Many senders to one wallet", 35,
     {"senders": 3, "days": 7},
     "one wallet number paid by at least `senders` different senders in `days` days"),
    ("fan-out", "One sender to many recipients", 30,
     {"recipients": 3, "days": 7},
     "one sender paying at least `recipients` different recipients in `days` days"),
    ("new-account-high", "New account, high value", 35,
     {"account_days": 30, "single_minor": 70_000, "first_week_minor": 150_000},
     "account younger than `account_days` sending `single_minor` at once or "
     "`first_week_minor` in its first 7 days"),
    ("high-risk-country", "High-risk payout country", 20,
     {"countries": ["CI", "ML", "BF", "CM"], "large_minor": 50_000, "large_score": 20},
     "payout to a country of the EU high-risk list; more above `large_minor` at tier 1"),
    ("round-amounts", "Round amounts", 15,
     {"multiple_minor": 10_000, "min_minor": 50_000, "count": 3, "days": 30},
     "`count` transfers in `days` days of a multiple of `multiple_minor`, at least `min_minor`"),
    ("recipients-added", "Rapid recipient additions", 30,
     {"count": 3, "hours": 24},
     "at least `count` recipients added in `hours` hours"),
    ("dormant-then-active", "Dormant, then active", 30,
     {"dormant_days": 180, "large_minor": 100_000, "times_usual": 3},
     "no transfer for `dormant_days` days, then `large_minor` or `times_usual` times the usual"),
]  # fmt: skip


def install_default_rules(rule_model=None) -> None:
    """Create the rules that do not exist yet; never overwrites a rule edited in the console."""
    if rule_model is None:
        from compliance.models import MonitoringRule as rule_model
    for code, name, score, params, description in DEFAULT_RULES:
        rule_model.objects.get_or_create(
            code=code,
            defaults={"name": name, "score": score, "params": params, "description": description},
        )
