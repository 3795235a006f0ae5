"""The recurring jobs, installed idempotently (by migration and by `install_schedules`)."""

from django.utils import timezone

SCHEDULES = [
    # name, function, every N minutes
    ("Poll submitted payouts", "payments.tasks.poll_due_payouts", 1),
    ("Sweep stuck transfers", "payments.tasks.sweep_stuck_transfers", 5),
    ("Expire quotes and unfunded transfers", "payments.tasks.expire_quotes_and_transfers", 10),
    ("Refresh FX rates", "payments.tasks.refresh_fx_rates", 30),
    ("Read provider balances", "payments.tasks.refresh_provider_balances", 5),
    ("Monitoring pass over the last day", "compliance.tasks.monitoring_batch", 24 * 60),
    ("Erase personal data past AML retention", "compliance.tasks.gdpr_purge", 24 * 60),
    ("Fetch and reconcile provider statements", "reconciliation.tasks.fetch_statements", 24 * 60),
]


def install(schedule_model=None) -> int:
    """Create or update each schedule by name; never duplicates one."""
    if schedule_model is None:
        from django_q.models import Schedule as schedule_model
    for name, func, minutes in SCHEDULES:
        schedule_model.objects.update_or_create(
            name=name,
            defaults={
                "func": func,
                "schedule_type": "I",  # Schedule.MINUTES
                "minutes": minutes,
                "repeats": -1,
            },
            create_defaults={
                "func": func,
                "schedule_type": "I",
                "minutes": minutes,
                "repeats": -1,
                "next_run": timezone.now(),
            },
        )
    return len(SCHEDULES)


def install_from_migration(apps, schema_editor) -> None:
    """Migrations call this, so a deploy that migrates also has every schedule."""
    install(apps.get_model("django_q", "Schedule"))
