"""Booking, payment, disposal number, cut-off, cancellation and refunds, double submits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dasan.core.errors import DasanError
from dasan.notify.models import Message
from dasan.payments import services as payments
from dasan.payments.models import Order, Refund
from dasan.waste import selectors, services
from dasan.waste.models import BookingStatus, DayCapacity


def _booked(district, day):
    row = DayCapacity.objects.filter(district=district, date=day).first()
    return row.booked if row else 0


def test_booking_prices_from_the_table_holds_capacity_and_creates_an_order(book, district, open_day):
    booking = book()
    assert booking.status == BookingStatus.PENDING and booking.number is None
    assert booking.total_fee == 16000 and booking.item_count == 2
    order = selectors.order_for(booking)
    assert order.total_amount == 16000 and order.purpose == "waste.booking"
    assert [(l.name, l.unit_price) for l in order.lines.all()] == [
        ("소파 3인용", 10000),
        ("냉장고(온장고 포함) 300ℓ 미만", 6000),
    ]
    assert order.expires_at <= selectors.cutoff_for(open_day)
    assert _booked(district, open_day) == 2


def test_payment_confirms_the_booking_with_a_disposal_number_and_a_message(book, staff, resident):
    booking = book()
    payments.mark_paid_at_office(selectors.order_for(booking), actor=staff)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.number == f"W{booking.collection_date:%y%m%d}-{booking.pk:06d}"
    message = Message.objects.get(template_key="waste.confirmed")
    assert message.recipient == resident and booking.number in message.body


def test_a_free_booking_is_confirmed_at_once(book, variant):
    booking = book(items={variant("유모차", "모든 규격").pk: 1})
    assert booking.status == BookingStatus.CONFIRMED and booking.number and booking.total_fee == 0


def test_double_submit_books_and_charges_once(book, district, open_day, resident):
    first = book(idempotency_key="form-token-1")
    second = book(idempotency_key="form-token-1")
    assert first.pk == second.pk
    assert Order.objects.filter(payer=resident).count() == 1
    assert _booked(district, open_day) == 2


def test_capacity_is_never_exceeded(book, variant, district, open_day, make_resident):
    sofa = variant("소파", "3인용").pk
    book(items={sofa: 8})
    with pytest.raises(DasanError) as caught:
        book(user=make_resident(), items={sofa: 3})
    assert caught.value.code == "day_full" and caught.value.status == 409
    assert "2개 남았습니다" in str(caught.value.message)
    book(user=make_resident(), items={sofa: 2})
    assert _booked(district, open_day) == 10
    assert next(d for d in selectors.available_days(district) if d.date == open_day).remaining == 0


def test_bookings_close_at_the_cut_off_the_day_before(book, open_day):
    cutoff = selectors.cutoff_for(open_day)
    assert timezone.localtime(cutoff).time() == dt.time(17, 0)
    assert timezone.localtime(cutoff).date() == open_day - dt.timedelta(days=1)
    with pytest.raises(DasanError) as caught:
        book(now=cutoff + dt.timedelta(minutes=1))
    assert caught.value.code == "past_cutoff"
    assert "17:00에 마감" in str(caught.value.message)


def test_cut_off_time_comes_from_settings(settings, district):
    settings.DASAN = {**settings.DASAN, "WASTE_CUTOFF": "12:30"}
    day = dt.date(2030, 5, 10)
    assert timezone.localtime(selectors.cutoff_for(day)) == timezone.make_aware(dt.datetime(2030, 5, 9, 12, 30))


def test_unpaid_order_expiry_frees_the_capacity(book, district, open_day):
    booking = book()
    Order.objects.filter(public_id=booking.order_id).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert payments.expire_stale_orders() == 1
    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED
    assert _booked(district, open_day) == 0


def test_cancel_before_the_cut_off_refunds_everything(book, staff, resident, district, open_day):
    booking = book()
    payments.mark_paid_at_office(selectors.order_for(booking), actor=staff)
    booking = services.cancel_booking(booking.pk, actor=resident)
    assert booking.status == BookingStatus.CANCELLED and booking.refunded_amount == 16000
    assert Refund.objects.get().amount == 16000
    assert selectors.order_for(booking).status == "refunded"
    assert _booked(district, open_day) == 0
    assert "16,000원" in Message.objects.get(template_key="waste.cancelled").body


def test_cancel_after_the_cut_off_follows_the_city_policy(settings, book, staff, resident):
    settings.DASAN = {**settings.DASAN, "WASTE_LATE_CANCEL_REFUND_PERCENT": 50}
    booking = book()
    payments.mark_paid_at_office(selectors.order_for(booking), actor=staff)
    late = selectors.cutoff_for(booking.collection_date) + dt.timedelta(hours=1)
    booking = services.cancel_booking(booking.pk, now=late, actor=resident)
    assert booking.refunded_amount == 8000
    assert selectors.order_for(booking).status == "partially_refunded"


def test_cancel_after_the_cut_off_without_a_policy_refunds_nothing(book, staff, resident):
    booking = book()
    payments.mark_paid_at_office(selectors.order_for(booking), actor=staff)
    late = selectors.cutoff_for(booking.collection_date) + dt.timedelta(hours=1)
    booking = services.cancel_booking(booking.pk, now=late, actor=resident)
    assert booking.status == BookingStatus.CANCELLED and booking.refunded_amount == 0
    assert not Refund.objects.exists()


def test_cancelling_an_unpaid_booking_cancels_its_order(book, resident, district, open_day):
    booking = book()
    services.cancel_booking(booking.pk, actor=resident)
    assert selectors.order_for(booking).status == "cancelled"
    assert _booked(district, open_day) == 0
    with pytest.raises(DasanError) as caught:
        services.cancel_booking(booking.pk, actor=resident)
    assert caught.value.code == "not_cancellable"


def test_no_cancellation_on_the_collection_day(book, resident):
    booking = book()
    on_the_day = timezone.make_aware(dt.datetime.combine(booking.collection_date, dt.time(9)))
    with pytest.raises(DasanError) as caught:
        services.cancel_booking(booking.pk, now=on_the_day, actor=resident)
    assert caught.value.code == "too_late"


def test_another_resident_cannot_see_or_cancel(book, make_resident):
    booking = book()
    stranger = make_resident()
    with pytest.raises(DasanError) as caught:
        services.cancel_booking(booking.pk, actor=stranger)
    assert caught.value.status == 404


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"district": 999999}, "unknown_district"),
        ({"address": "   "}, "address_required"),
        ({"items": {}}, "no_items"),
        ({"items": {"1": 0}}, "no_items"),
        ({"items": {"999999": 1}}, "unknown_item"),
        ({"items": {"1": -1}}, "invalid_quantity"),
        ({"items": {"1": "두 개"}}, "invalid_quantity"),
        ({"collection_date": "2020-01-01"}, "past_date"),
        ({"collection_date": "어제"}, "invalid_date"),
        ({"expected_total": 1000}, "price_changed"),
    ],
)
def test_bad_input_is_refused_with_a_korean_message(book, change, code, district, open_day):
    with pytest.raises(DasanError) as caught:
        book(**change)
    assert caught.value.code == code
    assert 400 <= caught.value.status < 500
    assert any("가" <= ch <= "힣" for ch in str(caught.value.message))
    assert _booked(district, open_day) == 0


def test_a_day_the_crew_does_not_work_is_refused(book, district, open_day):
    district.weekdays = "".join(str(d) for d in range(7) if d != open_day.weekday())
    district.save()
    with pytest.raises(DasanError) as caught:
        book()
    assert caught.value.code == "no_collection"


def test_reminder_the_evening_before_once(book, staff, resident):
    booking = book()
    payments.mark_paid_at_office(selectors.order_for(booking), actor=staff)
    booking.refresh_from_db()
    evening = timezone.make_aware(dt.datetime.combine(booking.collection_date - dt.timedelta(days=1), dt.time(18, 5)))
    afternoon = evening - dt.timedelta(hours=2)
    assert services.send_reminders(now=afternoon) == 0
    assert services.send_reminders(now=evening) == 1
    assert services.send_reminders(now=evening + dt.timedelta(minutes=15)) == 0
    message = Message.objects.get(template_key="waste.reminder")
    assert message.recipient == resident and booking.number in message.body


def test_no_reminder_for_an_unpaid_booking(book):
    booking = book()
    evening = timezone.make_aware(dt.datetime.combine(booking.collection_date - dt.timedelta(days=1), dt.time(19)))
    assert services.send_reminders(now=evening) == 0


def test_the_districts_department_handles_the_bookings_payment(book, district, departments, make_staff):
    """Issue 15, item 3: 청소행정과 (``District.department``) owns a bulky-waste order; another
    department's officer may not take money for it."""
    from dasan.payments import selectors as payment_selectors

    district.department = departments["waste"]
    district.save(update_fields=["department"])
    order = selectors.order_for(book())
    assert order.department == departments["waste"]
    assert payment_selectors.can_handle(make_staff("cleaner", department=departments["waste"]), order)
    assert not payment_selectors.can_handle(make_staff("roads", department=departments["roads"]), order)
