"""Fixtures shared by the complaints tests: a small set of categories over the
test departments (청소행정과 = waste, 도로과 = roads, plus 교통행정과 for parking)."""

import pytest


@pytest.fixture
def categories(departments):
    from dasan.complaints.models import Category, FormKind, Kind, PeriodUnit
    from dasan.core.models import Department

    traffic = Department.objects.create(code="1300", name="교통행정과", phone="02-100-1300", parent=departments["root"])
    departments["traffic"] = traffic
    return {
        "waste": Category.objects.create(
            code="illegal-dumping",
            name="쓰레기 무단투기",
            group="환경",
            kind=Kind.GRIEVANCE,
            department=departments["waste"],
            allows_anonymous=True,
            requires_location=True,
            keywords="쓰레기,무단투기,투기,분리수거,악취",
        ),
        "pothole": Category.objects.create(
            code="pothole",
            name="도로 파손",
            group="도로",
            kind=Kind.GRIEVANCE,
            department=departments["roads"],
            requires_location=True,
            keywords="도로,포트홀,파손,보도블록,구멍",
        ),
        "parking": Category.objects.create(
            code="illegal-parking",
            name="불법주정차 신고",
            group="교통",
            kind=Kind.GRIEVANCE,
            form=FormKind.ILLEGAL_PARKING,
            department=traffic,
            requires_location=True,
            period_value=7,
            period_unit=PeriodUnit.DAYS,
            keywords="주차,불법주차,주정차,견인",
        ),
        "question": Category.objects.create(
            code="policy-question",
            name="제도·절차 문의",
            group="일반",
            kind=Kind.INQUIRY_PROCEDURE,
            department=departments["root"],
            keywords="문의,절차,방법,서류",
        ),
    }
