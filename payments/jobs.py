"""Enqueueing jobs. With the ORM broker on the project database, a job enqueued inside a
transaction is a row committed (or rolled back) with that transaction: an outbox."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Min
from django.utils import timezone
from django_q.models import OrmQ, Success
from django_q.tasks import async_task


def enqueue(func: str, *args, group: str | None = None) -> None:
    async_task(func, *args, group=group or func.rsplit(".", 1)[-1])


def sweep_cutoff(kind: str, now: datetime) -> datetime | None:
    """Work changed before this may have lost its job: a sweep of `kind` may queue it again.
    None: queue nothing this time.

    Work changed before the oldest job waiting has no job waiting (its job was queued in the
    transaction of the change and has been taken). And while a job this sweep queued last time
    may still wait, the sweep queues nothing: otherwise, during a backlog, every sweep would
    add copies of the same work to the backlog it is stuck behind."""
    oldest = OrmQ.objects.filter(lock__lte=now).aggregate(oldest=Min("lock"))["oldest"]
    if oldest is None:
        return now
    swept = cache.get(f"jobs:swept:{kind}")
    if swept is not None and oldest <= swept:
        return None
    return min(now, oldest)


def enqueue_swept(kind: str, func: str, ids: list, now: datetime) -> int:
    """Queue again what a sweep found, and remember when (see sweep_cutoff)."""
    for each in ids:
        enqueue(func, each)
    if ids:
        cache.set(f"jobs:swept:{kind}", now, timeout=None)
    return len(ids)


def job_results_purge(*, now: datetime | None = None, limit: int = 50_000) -> int:
    """Delete successful job results older than JOB_RESULTS_KEEP_DAYS, a batch at a time;
    failed ones stay for a person to read."""
    before = (now or timezone.now()) - timedelta(days=settings.JOB_RESULTS_KEEP_DAYS)
    old = Success.objects.filter(stopped__lt=before).values_list("pk", flat=True)[:limit]
    return Success.objects.filter(pk__in=list(old)).delete()[0]
