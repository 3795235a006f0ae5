"""Schedules are installed once, and the job entry points are thin and safe to repeat."""

import pytest
from django.core.management import call_command
from django_q.models import Schedule

from payments import tasks
from payments.schedules import SCHEDULES
from payments.states import TransferStatus as S
from tests import factories as f

pytestmark = pytest.mark.usefixtures("corridors")


def test_schedules_are_installed_by_migration_and_again_without_duplicates():
    names = {name for name, _, _ in SCHEDULES}
    assert set(Schedule.objects.values_list("name", flat=True)) >= names  # from the migration
    Schedule.objects.filter(name__in=names).update(minutes=99)
    call_command("install_schedules")
    call_command("install_schedules")
    for name, func, minutes in SCHEDULES:
        schedule = Schedule.objects.get(name=name)
        assert (schedule.func, schedule.minutes, schedule.repeats) == (func, minutes, -1)


def test_cluster_settings_never_hand_a_running_task_to_a_second_worker(settings):
    q = settings.Q_CLUSTER
    assert q["timeout"] < q["retry"]
    assert q["orm"] == "default"  # enqueue shares the business transaction
    assert q["catch_up"] is False and q["max_attempts"] == 1


def test_task_entry_points_run_the_lifecycle():
    t = f.transfer()
    from payments.transfers import transfer_mark_funded

    transfer_mark_funded(transfer_id=t.pk)
    assert tasks.transfer_run_checks(t.pk) == S.PAYOUT_PENDING
    reference = tasks.payout_submit(t.pk)
    assert reference == f"{t.reference}-1"
    assert tasks.payout_submit(t.pk) == "nothing to send"
    attempt_id = t.attempts.get().pk
    assert tasks.payout_check(attempt_id) == "succeeded"
    assert tasks.payout_check(attempt_id) == "succeeded"
    assert tasks.poll_due_payouts() == 0
    assert tasks.sweep_stuck_transfers() == {
        "stale_attempts": 0,
        "resubmitted": 0,
        "rechecked": 0,
        "refunds_resent": 0,
        "webhooks_retried": 0,
    }
    assert tasks.expire_quotes_and_transfers() == {
        "transfers_expired": 0,
        "quotes_purged": 0,
        "idempotency_keys_purged": 0,
        "job_results_purged": 0,
    }


def test_a_sweep_during_a_backlog_does_not_queue_again_what_is_only_waiting(settings):
    from datetime import timedelta

    from django.utils import timezone
    from django_q.models import OrmQ

    from payments.models import Transfer
    from payments.transfers import transfer_mark_funded

    settings.PAYOUT_RETRY_BACKOFF_SECONDS = 60
    t = f.transfer()
    transfer_mark_funded(transfer_id=t.pk)  # queues its checks job
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Transfer.objects.filter(pk=t.pk).update(updated_at=an_hour_ago)
    # A backlog: the job was queued with the change an hour ago and still waits its turn.
    OrmQ.objects.update(lock=an_hour_ago)
    queued = OrmQ.objects.count()
    assert tasks.sweep_stuck_transfers()["rechecked"] == 0
    assert OrmQ.objects.count() == queued
    # The clusters caught up, and that job was lost: the sweep queues it again.
    OrmQ.objects.all().delete()
    assert tasks.sweep_stuck_transfers()["rechecked"] == 1
    assert OrmQ.objects.count() == 1
    # While that copy waits behind other work, later sweeps add no more copies.
    OrmQ.objects.update(lock=timezone.now() - timedelta(minutes=5))
    for _ in range(3):
        assert tasks.sweep_stuck_transfers()["rechecked"] == 0
    assert OrmQ.objects.count() == 1


def test_old_successful_job_results_are_purged_and_failures_kept(settings):
    from datetime import timedelta

    from django.utils import timezone
    from django_q.models import Task

    settings.JOB_RESULTS_KEEP_DAYS = 7
    now = timezone.now()
    for n, (age, success) in enumerate([(8, True), (8, False), (6, True)]):
        at = now - timedelta(days=age)
        Task.objects.create(id=f"t{n}", name=f"t{n}", func="payments.tasks.poll_due_payouts",
                            started=at, stopped=at, success=success)  # fmt: skip
    assert tasks.expire_quotes_and_transfers()["job_results_purged"] == 1
    assert set(Task.objects.values_list("id", "success")) == {("t1", False), ("t2", True)}
