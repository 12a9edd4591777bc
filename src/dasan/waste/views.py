"""Resident pages for bulky waste (대형폐기물). Thin: reads come from
:mod:`dasan.waste.selectors`, every change goes through :mod:`dasan.waste.services`; a
refused change is shown on its form (``core.http.user_errors``), a booking that is not the
resident's own is a 404 (``core.http``'s middleware)."""

from __future__ import annotations

import secrets

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from dasan.accounts.permissions import is_staff
from dasan.core import timefmt
from dasan.core.http import user_errors
from dasan.core.links import public_url

from . import selectors, services
from .models import BookingStatus


def index(request: HttpRequest) -> HttpResponse:
    """Fee search: forgiving spelling, spacing and initials (ㅅㅍ)."""
    query = request.GET.get("q", "").strip()[:50]
    table = selectors.current_table()
    results = selectors.search_items(query, table=table) if query else []
    return render(request, "waste/index.html", {"query": query, "results": results, "table": table})


def _quantities(post) -> dict[str, str]:
    return {key[4:]: value for key, value in post.items() if key.startswith("qty_") and value.strip() not in ("", "0")}


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest) -> HttpResponse:
    """The booking form: district (행정동), day, items and quantities, address, placement."""
    data = request.POST if request.method == "POST" else request.GET
    districts = selectors.districts()
    district = next((d for d in districts if str(d.pk) == data.get("district", "")), None)
    query = data.get("q", "").strip()[:50]
    table = selectors.current_table()
    items = selectors.catalogue(table)
    matched = selectors.search_items(query, table=table) if query else []
    matched_ids = {item.pk for item in matched}
    error = None
    chosen = _quantities(request.POST) if request.method == "POST" else {}
    if request.method == "POST" and "submit" in request.POST:
        with user_errors(flash=False) as outcome:
            booking = services.create_booking(
                actor=request.user,
                district=data.get("district", ""),
                address=data.get("address", ""),
                collection_date=data.get("collection_date", ""),
                items=chosen,
                placement=data.get("placement", ""),
                idempotency_key=data.get("token", ""),
                photo=request.FILES.get("photo"),
            )
        error = outcome.error
        if outcome.ok:
            if booking.status == BookingStatus.CONFIRMED:
                messages.success(request, _("배출신고가 확정되었습니다. 스티커를 출력해 붙여 주세요."))
                return redirect("waste:detail", pk=booking.pk)
            order = selectors.order_for(booking)
            messages.success(request, _("신청을 받았습니다. 수수료를 결제하면 배출번호가 나옵니다."))
            return redirect(order.get_absolute_url() if order else reverse("waste:detail", args=[booking.pk]))
    days = selectors.available_days(district) if district else []
    context = {
        "districts": districts,
        "district": district,
        "days": days,
        "query": query,
        "table": table,
        "matched": matched,
        "others": [i for i in items if i.pk not in matched_ids],
        "chosen": chosen,
        "error": error,
        "data": data,
        "token": data.get("token") or secrets.token_urlsafe(16),
        "cutoff": selectors.cutoff_time(),
    }
    return render(request, "waste/book.html", context, status=error.status if error else 200)


@never_cache
@login_required
def mine(request: HttpRequest) -> HttpResponse:
    return render(request, "waste/mine.html", {"bookings": selectors.bookings_for(request.user)[:100]})


@never_cache
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    booking = selectors.get_booking(request.user, pk)
    order = selectors.order_for(booking)
    now = timezone.now()
    context = {
        "booking": booking,
        "lines": booking.lines.all(),
        "order": order,
        "cutoff": selectors.cutoff_for(booking.collection_date),
        "before_cutoff": now < selectors.cutoff_for(booking.collection_date),
        "late_percent": selectors.late_refund_percent(),
        "cancellable": booking.is_active and timefmt.local_date(now) < booking.collection_date,
        "changeable": booking.status == BookingStatus.CONFIRMED and now < selectors.cutoff_for(booking.collection_date),
    }
    return render(request, "waste/detail.html", context)


def mask_address(address: str) -> str:
    """The street part of an address kept, the rest (building unit) hidden: a sticker is
    read by passers-by, the crew finds the door by the district and the number."""
    words = address.split()
    if len(words) <= 2:
        return words[0] + " ***" if words else ""
    return " ".join(words[:2]) + " ***"


@never_cache
@login_required
def sticker(request: HttpRequest, pk: int) -> HttpResponse:
    """Printable sticker (A4 or label) with the disposal number as a QR code."""
    booking = selectors.get_booking(request.user, pk)
    if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.COLLECTED) or not booking.number:
        raise Http404(_("결제가 끝난 배출신고만 스티커를 출력할 수 있습니다."))
    size = "label" if request.GET.get("size") == "label" else "a4"
    # The QR code is a link: a crew's phone camera opens the crew page straight from it,
    # anyone else sees whether the sticker is genuine (the check code stops guessing).
    path = reverse("waste:verify", args=[booking.number])
    link = public_url(path, request=request) or path
    qr = segno.make(f"{link}?c={selectors.sticker_code(booking.number)}", error="m")
    context = {
        "booking": booking,
        "lines": booking.lines.all(),
        "size": size,
        "qr_svg": qr.svg_inline(scale=5, title=booking.number),
        "masked_address": mask_address(booking.address),
    }
    return render(request, "waste/sticker.html", context)


@never_cache
@login_required
def photo(request: HttpRequest, pk: int, kind: str = "resident") -> HttpResponse:
    """The booking's photo, or the crew's photo of the collection, to the owner only
    (the files have no public address)."""
    booking = selectors.get_booking(request.user, pk)
    picture = booking.crew_photo if kind == "crew" else booking.photo
    if not picture:
        raise Http404(_("사진이 없습니다."))
    return FileResponse(picture.open("rb"), content_type="image/jpeg")


@never_cache
def verify(request: HttpRequest, number: str) -> HttpResponse:
    """Where the sticker's QR code leads. Staff (a crew's phone) go on to the crew page;
    anyone else learns only whether the sticker is genuine and for which day and district."""
    if is_staff(request.user):
        return redirect("waste_staff:booking", number=number)
    booking = selectors.verify_sticker(number, request.GET.get("c", ""))
    return render(
        request,
        "waste/verify.html",
        {"booking": booking, "number": number, "lines": booking.lines.all() if booking else []},
        status=200 if booking else 404,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def change(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the collection day, address or placement before the cut-off."""
    booking = selectors.get_booking(request.user, pk)
    error = None
    if request.method == "POST":
        with user_errors(flash=False) as outcome:
            changed = services.change_booking(
                booking,
                actor=request.user,
                collection_date=request.POST.get("collection_date"),
                address=request.POST.get("address"),
                placement=request.POST.get("placement"),
            )
        error = outcome.error
        if outcome.ok:
            if changed.number != booking.number:
                messages.success(
                    request,
                    _("수거일을 바꿨습니다. 새 배출번호 %(number)s로 스티커를 다시 출력해 주세요.")
                    % {"number": changed.number},
                )
            else:
                messages.success(request, _("배출신고를 바꿨습니다."))
            return redirect("waste:detail", pk=pk)
    days = [d for d in selectors.available_days(booking.district) if d.date != booking.collection_date]
    context = {
        "booking": booking,
        "days": days,
        "error": error,
        "data": request.POST if error else {},
        "cutoff": selectors.cutoff_for(booking.collection_date),
        "changeable": booking.status == BookingStatus.CONFIRMED
        and timezone.now() < selectors.cutoff_for(booking.collection_date),
    }
    return render(request, "waste/change.html", context, status=error.status if error else 200)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = selectors.get_booking(request.user, pk)
    with user_errors(request) as outcome:
        booking = services.cancel_booking(booking, actor=request.user)
    if outcome.ok:
        if booking.refunded_amount:
            messages.success(
                request,
                _("배출신고를 취소했습니다. %(amount)s원을 환불합니다.") % {"amount": f"{booking.refunded_amount:,}"},
            )
        else:
            messages.success(request, _("배출신고를 취소했습니다."))
    return redirect("waste:detail", pk=pk)
