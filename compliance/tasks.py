"""django-q2 entry points of compliance: one service call each, safe to run twice."""

from compliance import gdpr, monitoring, screening


def rescreen_everyone() -> int:
    return screening.rescreen_everyone()


def gdpr_purge() -> int:
    return gdpr.gdpr_purge_due()


def monitoring_batch() -> int:
    return monitoring.monitoring_batch()
