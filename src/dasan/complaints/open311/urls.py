"""Open311 GeoReport v2 at /open311/v2/ (mounted by dasan.urls).

Every resource takes its format as an extension (``services.xml``, ``services.json``).
The extension is matched loosely here so that a wrong or missing one gets the
spec's error answer instead of a bare 404 page.
"""

from django.urls import re_path

from . import views

app_name = "open311"

_FMT = r"(?:\.(?P<fmt>[^/.]*))?$"

urlpatterns = [
    re_path(r"^discovery" + _FMT, views.discovery, name="discovery"),
    re_path(r"^services" + _FMT, views.services, name="services"),
    re_path(r"^services/(?P<code>[^/.]+)" + _FMT, views.service_definition, name="service"),
    re_path(r"^requests" + _FMT, views.requests, name="requests"),
    re_path(r"^requests/(?P<request_id>[^/.]+)" + _FMT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/.]+)" + _FMT, views.token, name="token"),
]
