"""Who handles an order (issue 15, item 3): the staff of the department that owns what was
sold (managers: and its sub-departments), city-wide staff and 세입 담당 (the
``payments.handle_any_order`` permission); anyone else gets the same 404 as for no order.
Refunds above ``PAYMENTS_REFUND_APPROVAL_OVER`` need a second person."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from dasan.accounts.models import Role
from dasan.core.errors import DasanError
from dasan.core.models import AuditEvent, Department
from dasan.payments import selectors, services
from dasan.payments.models import ApprovalStatus, OrderStatus, RefundApproval
from dasan.payments.services import Line


@pytest.fixture
def sports(departments):
    return Department.objects.create(code="1300", name="체육시설관리사업소", parent=departments["root"])


@pytest.fixture
def hall_order(make_order, sports):
    """A sports-hall booking's order: 체육시설관리사업소 owns it."""
    return make_order([Line("체육관 대관 2시간", 60000, 1)], department=sports)


def _finance(user):
    group, _created = Group.objects.get_or_create(name="세입 담당")
    group.permissions.add(Permission.objects.get(codename="handle_any_order", content_type__app_label="payments"))
    user.groups.add(group)
    return type(user).objects.get(pk=user.pk)  # a fresh instance: no cached permissions


def test_another_departments_officer_can_neither_see_nor_act_on_the_order(client, hall_order, make_staff, departments):
    cleaner = make_staff("cleaner", department=departments["waste"])
    client.force_login(cleaner)
    assert hall_order.public_id not in client.get("/payments/staff/", {"status": "all"}).content.decode()
    base = f"/payments/staff/{hall_order.public_id}/"
    assert client.get(base).status_code == 404
    assert client.post(base + "mark-paid/", {"method": "cash"}).status_code == 404
    assert client.post(base + "refund/", {"amount": "1000", "reason": "x"}).status_code == 404
    assert client.post(base + "cancel/", {"reason": "x"}).status_code == 404
    hall_order.refresh_from_db()
    assert hall_order.status == OrderStatus.PENDING
    # The API answers the same as for an unknown number.
    response = client.get(f"/api/v1/payments/orders/{hall_order.public_id}")
    assert response.status_code == 404 and response.json()["error"]["code"] == "order_not_found"
    # A refund through the service refuses them too, after the order was paid by its own staff.
    services.mark_paid_at_office(hall_order, actor=make_staff("gym", department=hall_order.department))
    with pytest.raises(DasanError) as caught:
        services.staff_refund(hall_order, 1000, "x", actor=cleaner)
    assert caught.value.code == "order_not_found"
    assert not any(o.pk == hall_order.pk for o in selectors.staff_orders(cleaner))


@pytest.mark.parametrize("who", ["own_department", "manager_above", "city_admin", "finance"])
def test_those_who_handle_the_order_can(client, hall_order, make_staff, departments, sports, who):
    if who == "own_department":
        user = make_staff("gym-officer", department=sports)
    elif who == "manager_above":
        user = make_staff("city-hall-manager", department=departments["root"], role=Role.MANAGER)
    elif who == "city_admin":
        user = make_staff("admin1", department=departments["waste"], role=Role.ADMIN)
    else:
        user = _finance(make_staff("revenue", department=departments["roads"]))
    client.force_login(user)
    assert hall_order.public_id in client.get("/payments/staff/").content.decode()
    base = f"/payments/staff/{hall_order.public_id}/"
    assert client.get(base).status_code == 200
    client.post(base + "mark-paid/", {"method": "cash"})
    hall_order.refresh_from_db()
    assert hall_order.status == OrderStatus.PAID
    client.post(base + "refund/", {"amount": "60000", "reason": "시설 고장"})
    hall_order.refresh_from_db()
    assert hall_order.status == OrderStatus.REFUNDED  # 60,000 원: under the threshold, one person


def test_an_order_without_a_department_is_for_city_wide_staff_and_finance(make_order, make_staff, departments):
    order = make_order(department=None)
    for officer in (
        make_staff("w", department=departments["waste"]),
        make_staff("m", department=departments["root"], role=Role.MANAGER),
    ):
        assert not selectors.can_handle(officer, order)
    assert selectors.can_handle(make_staff("a", role=Role.ADMIN), order)
    assert selectors.can_handle(_finance(make_staff("f", department=departments["roads"])), order)


@pytest.fixture
def big_paid_order(make_order, staff):
    order = make_order([Line("체육관 전관 대관", 300000, 1)])  # 청소행정과's, like the cashier
    services.mark_paid_at_office(order, actor=staff)
    order.refresh_from_db()
    return order


def test_a_refund_over_the_threshold_waits_for_a_second_person(client, big_paid_order, staff, make_staff, departments):
    client.force_login(staff)
    base = f"/payments/staff/{big_paid_order.public_id}/"
    client.post(base + "refund/", {"amount": "200000", "reason": "행사 취소"})
    big_paid_order.refresh_from_db()
    assert big_paid_order.refunded_amount == 0  # nothing asked of the provider yet
    approval = RefundApproval.objects.get(order=big_paid_order)
    assert approval.status == ApprovalStatus.PENDING and approval.requested_by == staff
    assert AuditEvent.objects.filter(action="payments.refund.requested", actor=staff).exists()
    # The requester cannot approve their own request.
    with pytest.raises(DasanError) as caught:
        services.approve_refund(approval, actor=staff)
    assert caught.value.code == "refund_needs_second_person" and caught.value.status == 403
    client.post(base + f"refund-approvals/{approval.pk}/approve/")
    big_paid_order.refresh_from_db()
    assert big_paid_order.refunded_amount == 0
    # Another department's officer is not told the order exists.
    with pytest.raises(DasanError) as caught:
        services.approve_refund(approval, actor=make_staff("roads1", department=departments["roads"]))
    assert caught.value.code == "order_not_found"
    # A colleague of the same department approves: now the money goes back.
    colleague = make_staff("cashier2", department=departments["waste"])
    client.force_login(colleague)
    client.post(base + f"refund-approvals/{approval.pk}/approve/")
    big_paid_order.refresh_from_db()
    assert big_paid_order.refunded_amount == 200000
    assert big_paid_order.status == OrderStatus.PARTIALLY_REFUNDED
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED and approval.approved_by == colleague
    assert approval.refund is not None and approval.refund.actor == colleague
    assert AuditEvent.objects.filter(action="payments.refund.approved", actor=colleague).exists()
    with pytest.raises(DasanError) as caught:  # approved once, never twice
        services.approve_refund(approval, actor=make_staff("cashier3", department=departments["waste"]))
    assert caught.value.code == "refund_approval_closed"


def test_at_or_below_the_threshold_one_person_refunds(big_paid_order, staff):
    done = services.staff_refund(big_paid_order, 100000, "일부 환불", actor=staff)
    big_paid_order.refresh_from_db()
    assert big_paid_order.refunded_amount == 100000 and done.amount == 100000
    assert not RefundApproval.objects.exists()


def test_a_threshold_of_zero_never_holds_a_refund(big_paid_order, staff, settings):
    settings.DASAN = {**settings.DASAN, "PAYMENTS_REFUND_APPROVAL_OVER": 0}
    services.staff_refund(big_paid_order, None, "전액 환불", actor=staff)
    big_paid_order.refresh_from_db()
    assert big_paid_order.status == OrderStatus.REFUNDED
    assert not RefundApproval.objects.exists()
