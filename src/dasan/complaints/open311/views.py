"""Open311 GeoReport v2 endpoints (http://wiki.open311.org/GeoReport_v2), mounted
at ``/open311/v2/``. Thin: read parameters, file through ``intake.file_complaint``, write the
answer as XML or JSON by the URL's extension.

Errors are always the spec's error list with the matching status (400 bad input,
403 api key, 404 unknown jurisdiction/service/request, 405, 429); a mistake in the
request never becomes a 500.
"""

from __future__ import annotations

import functools
import json

from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.urls import resolve, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from dasan.core import audit, idempotency, links, ratelimit
from dasan.core.conf import setting
from dasan.core.errors import DasanError
from dasan.core.middleware import client_ip

from .. import intake, models
from . import params as params_
from . import serialize, xml
from .errors import Open311Error, api_key_invalid, jurisdiction_not_found, service_not_found


# --- answers ---------------------------------------------------------------------------------
def _document(fmt: str, data, *, root: str, item: str | None = None, status: int = 200) -> HttpResponse:
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False)
    else:
        body = xml.render(root, data, item=item)
    return HttpResponse(body, status=status, content_type=serialize.FORMATS[fmt])


def refusal(request, error) -> HttpResponse | None:
    """The request guard's refusal (dasan.core.guard: control characters, oversized or
    malformed bodies) of an Open311 request, as the spec's error list in the requested
    format; None for any other path. Declared as the complaints app's ``refuse_request`` hook."""
    try:
        match = resolve(request.path_info)
    except Http404:
        return None
    if match.namespace != "open311":
        return None
    fmt = match.kwargs.get("fmt") if match.kwargs.get("fmt") in serialize.FORMATS else "json"
    return _error(fmt, Open311Error(error.status, error.message))


def _error(fmt: str, error: Open311Error) -> HttpResponse:
    response = _document(fmt, error.as_list(), root="errors", item="error", status=error.status)
    for header, value in error.headers.items():
        response[header] = value
    return response


def _limits() -> dict:
    """POST limits: per client address a minute (also slows down guessing keys), per key an hour."""
    return {
        "ip": int(setting("OPEN311_POSTS_PER_IP_MINUTE")),
        "key": int(setting("OPEN311_POSTS_PER_KEY_HOUR")),
    }


def _params(request) -> QueryDict:
    """Query string and form body together; the body wins where both name a field
    (the spec's own OpenAPI lists POST fields "in query", most clients send a form)."""
    try:
        merged = request.GET.copy()
        if request.method == "POST":
            for key in request.POST.keys():
                merged.setlist(key, request.POST.getlist(key))
    except (RequestDataTooBig, SuspiciousOperation, MultiPartParserError, BadRequest, UnicodeDecodeError) as exc:
        raise Open311Error(
            400, _("요청 본문을 읽을 수 없습니다. application/x-www-form-urlencoded로 보내 주세요.")
        ) from exc
    return merged


def _check_jurisdiction(params) -> None:
    given = params_.clean(params.get("jurisdiction_id"))
    expected = serialize.jurisdiction()
    if given and expected and given != expected:
        raise jurisdiction_not_found()


def endpoint(*methods: str):
    """Wrap a view ``func(request, fmt, params, **kwargs) -> HttpResponse``: check the
    format extension, the method and jurisdiction_id, and turn every error into the
    spec's error list (XML when the extension itself is wrong: XML is the required format)."""

    def decorate(func):
        @csrf_exempt
        @functools.wraps(func)
        def view(request, fmt=None, **kwargs):
            answer_fmt = fmt if fmt in serialize.FORMATS else "xml"
            try:
                if fmt not in serialize.FORMATS:
                    raise Open311Error(
                        400, _("형식은 .xml 또는 .json이어야 합니다 (받은 형식: %(fmt)s).") % {"fmt": fmt or _("없음")}
                    )
                if request.method not in methods:
                    raise Open311Error(
                        405,
                        _("%(method)s 요청은 받지 않습니다.") % {"method": request.method},
                        headers={"Allow": ", ".join(methods)},
                    )
                params = _params(request)
                _check_jurisdiction(params)
                response = func(request, fmt, params, **kwargs)
            except Open311Error as error:
                return _error(answer_fmt, error)
            except DasanError as error:
                headers = {"Retry-After": str(error.retry_after)} if getattr(error, "retry_after", None) else {}
                return _error(answer_fmt, Open311Error(error.status, error.message, headers=headers))
            if request.method in ("GET", "HEAD"):
                # Public data: browser-based maps may read it from other origins.
                response["Access-Control-Allow-Origin"] = "*"
            return response

        return view

    return decorate


def _base_url(request) -> str:
    path = reverse("open311:services", kwargs={"fmt": "xml"}).rsplit("services", 1)[0]
    return links.public_url(path, request=request)


# --- discovery and services --------------------------------------------------------------------
@endpoint("GET", "HEAD")
def discovery(request, fmt, params):
    return _document(fmt, serialize.discovery(_base_url(request)), root="discovery")


@endpoint("GET", "HEAD")
def services(request, fmt, params):
    items = [serialize.service(category) for category in serialize.listed_categories()]
    return _document(fmt, items, root="services", item="service")


def _requestable_category(code: str) -> models.Category:
    category = models.Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise service_not_found(code)
    if category.form == models.FormKind.ILLEGAL_PARKING:
        raise Open311Error(
            400,
            _(
                "'%(name)s'은(는) Open311로 접수하지 않습니다. 불법주정차 신고에는 1분 이상 간격을 둔 사진 두 장과 "
                "신고인의 서명된 진술이 필요하므로 시 누리집의 불법주정차 신고 화면을 이용해 주세요."
            )
            % {"name": category.name},
        )
    return category


@endpoint("GET", "HEAD")
def service_definition(request, fmt, params, code):
    category = _requestable_category(code)
    return _document(fmt, serialize.service_definition(category), root="service_definition")


# --- requests --------------------------------------------------------------------------------
@endpoint("GET", "HEAD", "POST")
def requests(request, fmt, params):
    if request.method == "POST":
        return _create(request, fmt, params)
    wanted = params_.parse_filter(params)
    complaints = serialize.published_requests()
    if wanted.ids:
        # The spec: ids override every other filter.
        complaints = complaints.filter(number__in=wanted.ids)
    else:
        complaints = complaints.filter(received_at__gte=wanted.start, received_at__lte=wanted.end)
        if wanted.service_codes:
            complaints = complaints.filter(category__code__in=wanted.service_codes)
        if wanted.statuses == {"open"}:
            complaints = complaints.filter(status__in=models.OPEN_STATUSES)
        elif wanted.statuses == {"closed"}:
            complaints = complaints.exclude(status__in=models.OPEN_STATUSES)
    complaints = complaints.order_by("-received_at", "-id")[: params_.MAX_RESULTS]
    return _document(fmt, [serialize.request(c) for c in complaints], root="service_requests", item="request")


@endpoint("GET", "HEAD")
def request_detail(request, fmt, params, request_id):
    complaint = serialize.published_requests().filter(number=request_id).first()
    if complaint is None:
        raise Open311Error(404, _("service_request_id '%(id)s'인 요청이 없습니다.") % {"id": request_id})
    return _document(fmt, [serialize.request(complaint)], root="service_requests", item="request")


@endpoint("GET", "HEAD")
def token(request, fmt, params, token):
    number = serialize.number_for_token(token)
    exists = number and serialize.published_requests().filter(number=number).exists()
    if not exists:
        raise Open311Error(404, _("토큰 '%(token)s'에 해당하는 요청이 없습니다.") % {"token": token})
    return _document(fmt, [{"service_request_id": number, "token": token}], root="service_requests", item="request")


def _api_key(request, params) -> str:
    key = params_.clean(params.get("api_key"))
    if not key:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header.lower().startswith("bearer "):
            key = header[7:].strip()
    return key


def _rate_limit(key: str, *, limit: int, window: int) -> None:
    result = ratelimit.hit(key, limit=limit, window=window)
    if not result.allowed:
        raise Open311Error(
            429,
            _("요청이 너무 많습니다. %(seconds)d초 뒤에 다시 보내 주세요.") % {"seconds": result.retry_after},
            headers={"Retry-After": str(result.retry_after)},
        )


def _create(request, fmt, params):
    """POST Service Request: a complaint filed through ``intake.file_complaint``."""
    from dasan.accounts.selectors import token_for_plain
    from dasan.accounts.services import authenticate_api_token

    limits = _limits()
    _rate_limit(f"open311:post:ip:{client_ip(request) or 'unknown'}", limit=limits["ip"], window=60)
    plain = _api_key(request, params)
    owner = authenticate_api_token(plain) if plain else None
    if owner is None:
        raise api_key_invalid()
    api_token = token_for_plain(plain)
    _rate_limit(f"open311:post:key:{api_token.pk}", limit=limits["key"], window=3600)

    code = params_.clean(params.get("service_code"))
    if not code:
        raise Open311Error(400, _("service_code가 필요합니다."))
    category = _requestable_category(code)
    new = params_.parse_new_request(params, category, language=translation.get_language())

    def produce():
        with transaction.atomic():
            complaint = intake.file_complaint(**new.kwargs)
            # Which integration brought it in: the complaint itself has no owner account.
            audit.record(
                "complaints.open311_filed",
                actor=owner,
                target=complaint,
                data={"api_token": api_token.prefix, "service_code": category.code},
            )
        return 200, [
            {
                "service_request_id": complaint.number,
                "token": serialize.token_for(complaint.number),
                "service_notice": f"{serialize.due_notice(complaint)} {serialize.public_notice()}",
                # Requests through Open311 are not tied to a Dasan account.
                "account_id": None,
            }
        ]

    idempotency_key = request.META.get("HTTP_IDEMPOTENCY_KEY")
    if idempotency_key is not None:
        payload = {key: params.getlist(key) for key in sorted(params.keys()) if key != "api_key"}
        replay = idempotency.run(
            idempotency_key,
            scope="complaints.open311",
            owner=f"apitoken:{api_token.pk}",
            payload=payload,
            produce=produce,
        )
        response = _document(fmt, replay.body, root="service_requests", item="request", status=replay.status)
        if replay.replayed:
            response["Idempotent-Replayed"] = "true"
        return response
    status, body = produce()
    return _document(fmt, body, root="service_requests", item="request", status=status)
