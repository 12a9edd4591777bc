"""URL map. Each app owns its own urls; this file only mounts them."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from dasan.api import api

urlpatterns = [
    path("", include("dasan.web.urls")),
    path("accounts/", include("dasan.accounts.urls")),
    path("notifications/", include("dasan.notify.urls")),
    path("kb/", include("dasan.knowledge.urls")),
    path("assistant/", include("dasan.assistant.urls")),
    path("payments/", include("dasan.payments.urls")),
    path("complaints/", include("dasan.complaints.urls")),
    path("staff/complaints/", include("dasan.complaints.urls_staff")),
    path("open311/v2/", include("dasan.complaints.open311.urls")),
    path("waste/", include("dasan.waste.urls")),
    path("staff/waste/", include("dasan.waste.urls_staff")),
    path("goods/", include("dasan.goods.urls")),
    path("reservations/", include("dasan.reservations.urls")),
    path("staff/reservations/", include("dasan.reservations.urls_staff")),
    path("queue/", include("dasan.queueing.urls")),
    path("staff/queue/", include("dasan.queueing.urls_staff")),
    path("documents/", include("dasan.certificates.urls")),
    path("staff/documents/", include("dasan.certificates.urls_staff")),
    path("channels/kakao/", include("dasan.assistant.channels.kakao.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
