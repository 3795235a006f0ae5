"""The one NinjaAPI of the project; app routers are mounted here."""

from ninja import NinjaAPI

api = NinjaAPI(title="MoneyBridge API", version="1", urls_namespace="api-v1")


@api.get("/health", auth=None, tags=["ops"])
def health(request):
    """Liveness probe: the process answers and the database is reachable."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"ok": True}
