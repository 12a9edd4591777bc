"""URL map. Each app declares its mounts (``urls`` in its AppConfig, see core.appconfig);
this file only adds the API and the admin."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import path

from dasan.api import api
from dasan.core.appconfig import url_patterns

urlpatterns = [
    *url_patterns(),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
