"""django-q2's task pages, re-registered read-only.

Its stock admins carry a "Resubmit selected tasks" action that re-enqueues a task with its
arguments: for a payout task that is a second payment button. Here nobody can resubmit, edit
or delete a task, a queued job or a schedule from the console; schedules are installed by
`install_schedules`.
"""

from django.contrib import admin
from django_q import admin as q_admin
from django_q.models import Failure, OrmQ, Schedule, Success
from unfold.admin import ModelAdmin

from backoffice.admin.base import ReadOnlyMixin

for model in (Success, Failure, Schedule, OrmQ):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class ReadOnlyJobs(ReadOnlyMixin):
    actions = None


@admin.register(Success)
class SuccessAdmin(ReadOnlyJobs, q_admin.TaskAdmin, ModelAdmin):
    pass


@admin.register(Failure)
class FailureAdmin(ReadOnlyJobs, q_admin.FailAdmin, ModelAdmin):
    pass


@admin.register(Schedule)
class ScheduleAdmin(ReadOnlyJobs, q_admin.ScheduleAdmin, ModelAdmin):
    pass


@admin.register(OrmQ)
class QueuedAdmin(ReadOnlyJobs, q_admin.QueueAdmin, ModelAdmin):
    pass
