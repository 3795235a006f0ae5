from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from backoffice.staff_auth import second_factor, staff_language
from config.api import api
from config.health import health
from config.metrics import metrics
from providers.views import webhook

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/second-factor/", second_factor, name="second_factor"),
    path("admin/language/", staff_language, name="staff_language"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("webhooks/<slug:provider>/", webhook, name="webhook"),
    path("health/", health, name="health"),
    path("metrics", metrics, name="metrics"),
]
