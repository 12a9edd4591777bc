"""The demo city's people: three staff members and three residents (``dasan demo`` prints their
logins). Demo-only credentials: they exist only in the demo database under ``var/``; a real
installation creates its own staff.
"""

from __future__ import annotations

from django.db import transaction

from dasan.core.models import Department

from .models import Kind, Role, User

DEMO_PASSWORD = "demo-dasan-2026"
# (username, name, department code, role, base32 TOTP secret)
STAFF = [
    ("admin", "김관리", "1700", Role.ADMIN, "DASANDEMOADMIN234567ABCDEFGHIJKL"),
    ("cleaning", "이청소", "1200", Role.OFFICER, "DASANDEMOCLEANING234567ABCDEFGHI"),
    ("traffic-lead", "박교통", "1300", Role.MANAGER, "DASANDEMOTRAFFIC234567ABCDEFGHIJ"),
]
# (phone, name, language)
RESIDENTS = [
    ("01000000001", "홍길동", "ko"),
    ("01000000002", "Jane Doe", "en"),
    ("01000000003", "Nguyễn Văn An", "vi"),
]


@transaction.atomic
def load_demo() -> None:
    departments = {d.code: d for d in Department.objects.filter(code__in=[s[2] for s in STAFF])}
    for username, name, dept_code, role, secret in STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username=username,
                password=DEMO_PASSWORD,
                kind=Kind.STAFF,
                name=name,
                department=departments[dept_code],
                role=role,
                is_staff=True,
                is_superuser=(role == Role.ADMIN),
            )
        if not user.totp_secret:
            user.totp_secret = secret
            user.totp_confirmed_at = user.date_joined
            user.save(update_fields=["totp_secret", "totp_confirmed_at"])
    for phone, name, language in RESIDENTS:
        if not User.objects.filter(phone=phone).exists():
            User.objects.create_user(
                username=f"demo-{phone[-4:]}", kind=Kind.RESIDENT, phone=phone, name=name, language=language
            )
    _load_residency()


# The demo city's resident list (주민 명부): (phone, date of birth, 행정동 code, 행정동).
ROSTER = [
    ("01000000001", "1975-03-01", "9999951000", "중앙동"),
    ("01000000002", "1990-07-15", "9999952000", "동부동"),
    ("01000000003", "1988-11-20", "9999953000", "서부동"),
    ("01000000104", "1960-01-01", "9999954000", "남산동"),
    ("01000000105", "1960-01-01", "9999955000", "북문동"),
]


def _load_residency() -> None:
    """A resident list, 홍길동 confirmed by it, Jane Doe waiting in the clerks' queue (she
    declared the wrong 행정동); Nguyễn Văn An may declare 서부동, 1988-11-20 and be confirmed
    at once."""
    from datetime import date

    from . import residency, roster
    from .models import RosterImport

    if RosterImport.objects.exists():
        return
    lines = ["name,birth_date,phone,dong_code,dong_name"] + [f",{b},{p},{c},{n}" for p, b, c, n in ROSTER]
    roster.import_roster("\n".join(lines).encode())
    people = {u.phone: u for u in User.objects.filter(phone__in=[r[0] for r in ROSTER])}
    residency.declare(people["01000000001"], birth_date=date(1975, 3, 1), dong_name="", dong_code="9999951000")
    residency.declare(people["01000000002"], birth_date=date(1990, 7, 15), dong_name="", dong_code="9999954000")
