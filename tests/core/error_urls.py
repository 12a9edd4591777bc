"""The project's URLs plus pages whose services fail, to see what DasanErrorMiddleware and
user_errors make of each error."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path

from dasan.core.errors import Conflict, CoreCode, DasanError, NotFound, PermissionDenied
from dasan.core.http import user_errors


def missing(request):
    raise NotFound(message="그런 예약은 없습니다.")


def not_yours(request):
    raise PermissionDenied(CoreCode.STAFF_ONLY, "담당 공무원만 할 수 있는 일입니다.")


def taken(request):
    """A form page: GET shows it, POST fails because the slot was taken meanwhile."""
    if request.method == "POST":
        raise Conflict("slot_taken", "방금 다른 분이 예약한 시간입니다.")
    return HttpResponse("예약 양식")


def gone(request):
    raise DasanError("booking_closed", "접수가 마감되었습니다.", status=410)


def api_boom(request):
    raise Conflict("slot_taken", "방금 다른 분이 예약한 시간입니다.")


def cancel(request):
    """Goes on after an error: flashes it and returns to the list either way."""
    with user_errors(request) as outcome:
        raise Conflict("already_cancelled", "이미 취소된 예약입니다.")
    if outcome.ok:
        messages.success(request, "취소했습니다.")
    return redirect("/")


def lookup(request, code):
    """An error the view declares as "not found" becomes the 404 page."""
    with user_errors(request, flash=False, not_found=(CoreCode.INVALID_INPUT,)) as outcome:
        raise DasanError(code, "예약 번호를 확인해 주세요.")
    return HttpResponse(outcome.message, status=outcome.status)


def _urlpatterns():
    from dasan.urls import urlpatterns

    return [
        path("test-errors/missing/", missing),
        path("test-errors/not-yours/", not_yours),
        path("test-errors/taken/", taken),
        path("test-errors/gone/", gone),
        path("test-errors/cancel/", cancel),
        path("test-errors/lookup/<str:code>/", lookup),
        path("api/test-errors/boom/", api_boom),
        *urlpatterns,
    ]


urlpatterns = _urlpatterns()
