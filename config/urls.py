from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from config.api import api
from providers.views import webhook

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("webhooks/<slug:provider>/", webhook, name="webhook"),
]
