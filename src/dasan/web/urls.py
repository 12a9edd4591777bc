from django.urls import path, re_path
from django.views.generic import RedirectView

from . import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("staff/", views.staff_home, name="staff_home"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    # Short, stable addresses for the API documentation (the API itself lives at /api/v1/).
    path("api/docs", RedirectView.as_view(pattern_name="api:openapi-view"), name="api_docs"),
    re_path(r"^api/(?:docs/)?$", RedirectView.as_view(pattern_name="api:openapi-view")),
]
