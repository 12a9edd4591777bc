"""The project's URLs plus a page that fails, to see the 500 page."""

from django.urls import path


def boom(request):
    raise RuntimeError("resident 010-1234-5678 broke it")


def _urlpatterns():
    from dasan.urls import urlpatterns

    return [path("boom/", boom), *urlpatterns]


urlpatterns = _urlpatterns()
