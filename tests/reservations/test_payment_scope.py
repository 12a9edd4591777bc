"""Who handles a booking's payment (issue 15, item 3): the facility's department
(``Unit.department``) owns the order, so a 체육시설관리사업소 officer marks a sports-hall
booking paid and a 청소행정과 officer cannot even see it."""

from __future__ import annotations

from dasan.core.demo import load_demo as load_city
from dasan.core.models import Department
from dasan.payments import selectors as payments
from dasan.payments.models import Order, OrderStatus
from dasan.reservations import services
from dasan.reservations.demo import load_demo
from dasan.reservations.models import Resource, Unit

from .conftest import at


def test_a_sports_hall_bookings_order_is_handled_by_the_sports_department_only(
    client, unit, paid_court, resident, day, make_staff, departments
):
    sports = Department.objects.create(code="1600", name="체육시설관리사업소", parent=departments["root"])
    Unit.objects.filter(pk=unit.pk).update(department=sports)
    court = Resource.objects.select_related("unit").get(pk=paid_court.pk)
    reservation = services.book(court, at(day, "10:00"), at(day, "11:00"), actor=resident)
    order = Order.objects.get(public_id=reservation.order_id)
    assert order.department == sports

    cleaner = make_staff("cleaner", department=departments["waste"])
    gym = make_staff("gym-officer", department=sports)
    assert not payments.can_handle(cleaner, order) and payments.can_handle(gym, order)
    base = f"/payments/staff/{order.public_id}/"
    client.force_login(cleaner)
    assert client.get(base).status_code == 404
    assert client.post(base + "mark-paid/", {"method": "cash"}).status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    client.force_login(gym)
    assert client.get(base).status_code == 200
    client.post(base + "mark-paid/", {"method": "cash"})
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_a_unit_without_a_department_leaves_the_order_to_city_wide_staff(
    paid_court, resident, day, make_staff, departments
):
    reservation = services.book(paid_court, at(day, "10:00"), at(day, "11:00"), actor=resident)
    order = Order.objects.get(public_id=reservation.order_id)
    assert order.department is None
    assert not payments.can_handle(make_staff("officer", department=departments["root"]), order)


def test_the_demo_sports_centre_belongs_to_the_sports_facilities_office(db):
    load_city()
    load_demo()
    load_demo()  # again: nothing changes
    assert Unit.objects.get(name="시민체육관").department.name == "체육시설관리사업소"
    assert Unit.objects.get(name="시민체육관").department.code == "1600"
