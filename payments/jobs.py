"""Enqueueing jobs. With the ORM broker on the project database, a job enqueued inside a
transaction is a row committed (or rolled back) with that transaction: an outbox."""

from django_q.tasks import async_task


def enqueue(func: str, *args, group: str | None = None) -> None:
    async_task(func, *args, group=group or func.rsplit(".", 1)[-1])
