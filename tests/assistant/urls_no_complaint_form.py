"""The project's URLs without a new-complaint page: a city that has not installed the
complaints pages (the hand-off must then offer no 민원 link at all)."""

from django.urls import include, path

from dasan import urls as project

urlpatterns = [p for p in project.urlpatterns if getattr(p, "namespace", None) != "complaints"] + [
    path("complaints/", include(([], "complaints"))),
]
