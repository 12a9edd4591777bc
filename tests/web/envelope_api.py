"""A small API built with the same DasanAPI class as /api/v1/, with endpoints that
fail in every way an app's endpoint can, mounted only in the envelope tests."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.urls import path
from ninja import Schema

from dasan.api import DasanAPI
from dasan.core.errors import Conflict, NotFound, RateLimited

test_api = DasanAPI(title="Envelope test API", version="test", urls_namespace="envelope_test")


class ItemIn(Schema):
    name: str
    count: int


@test_api.post("/items")
def create_item(request, payload: ItemIn):
    return {"name": payload.name, "count": payload.count}


@test_api.get("/items/{item_id}")
def get_item(request, item_id: int, page: int = 1):
    return {"id": item_id, "page": page}


@test_api.get("/conflict")
def conflict(request):
    raise Conflict("slot_full", "자리가 모두 찼습니다.")


@test_api.get("/gone")
def gone(request):
    raise NotFound()


@test_api.get("/slow-down")
def slow_down(request):
    raise RateLimited(retry_after=30)


@test_api.get("/django-forbidden")
def django_forbidden(request):
    raise DjangoPermissionDenied


@test_api.get("/django-404")
def django_404(request):
    raise Http404("no such row")


@test_api.get("/private", auth=lambda request: None)
def private(request):
    return {"secret": True}


@test_api.get("/boom")
def boom(request):
    raise RuntimeError("resident 010-1234-5678 broke it")


def _urlpatterns():
    from dasan.urls import urlpatterns

    return [path("test-api/", test_api.urls), *urlpatterns]


urlpatterns = _urlpatterns()
