"""Enqueueing jobs. With the ORM broker on the project database, a job enqueued inside a
transaction is a row committed (or rolled back) with that transaction: an outbox."""

from datetime import datetime

from django.db.models import Min
from django_q.models import OrmQ
from django_q.tasks import async_task


def enqueue(func: str, *args, group: str | None = None) -> None:
    async_task(func, *args, group=group or func.rsplit(".", 1)[-1])


def queue_cutoff(now: datetime) -> datetime:
    """Work last changed before this has no job still waiting in the queue: its job was queued
    in the transaction of the change, and every job queued before the oldest one waiting has
    been taken. Sweeps look only before it; otherwise, during a backlog, each sweep would queue
    again work that is only waiting, and grow the backlog it is stuck behind."""
    oldest = OrmQ.objects.filter(lock__lte=now).aggregate(oldest=Min("lock"))["oldest"]
    return min(now, oldest) if oldest else now
