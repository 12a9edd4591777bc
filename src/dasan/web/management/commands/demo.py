"""`dasan demo`: load the demo city (데모시) and print its logins.

Safe to run again: it finds what it created before and only fills what is
missing, so the printed logins stay valid across runs.
"""

from __future__ import annotations

import pyotp
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dasan.accounts.models import Kind, Role, User
from dasan.core.models import Department, Municipality

CITY = {
    "name": "데모시",
    "name_en": "Demo City",
    # 99xxx is not a real 시군구 code: the demo city must never be mistaken for a real one.
    "region_code": "99999",
    "phone": "02-120-0000",
    "email": "minwon@demo.dasan.local",
    "address": "데모시 시청로 1",
    "website": "http://127.0.0.1:8000/",
}

# (code, name, phone, parent code)
DEPARTMENTS = [
    ("1000", "데모시청", "02-120-0000", None),
    ("1100", "민원여권과", "02-120-1100", "1000"),
    ("1200", "청소행정과", "02-120-1200", "1000"),
    ("1300", "교통행정과", "02-120-1300", "1000"),
    ("1400", "복지정책과", "02-120-1400", "1000"),
    ("1500", "세무과", "02-120-1500", "1000"),
    ("1600", "체육시설관리사업소", "02-120-1600", "1000"),
    ("1700", "정보통신과", "02-120-1700", "1000"),
]

# Demo-only credentials, printed on every run. They exist only in the demo
# database under var/; a real installation creates its own staff.
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


class Command(BaseCommand):
    help = "Load the demo city (데모시) with departments, staff and residents, and print their logins."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the logins.")
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load the demo even with DASAN_DEBUG off (its passwords and TOTP secrets are public).",
        )

    @transaction.atomic
    def load(self) -> None:
        city = Municipality.current()
        if city is None:
            Municipality.objects.create(**CITY)
        by_code: dict[str, Department] = {}
        for code, name, phone, parent in DEPARTMENTS:
            dept, _ = Department.objects.get_or_create(
                code=code, defaults={"name": name, "phone": phone, "parent": by_code.get(parent)}
            )
            by_code[code] = dept
        for username, name, dept_code, role, secret in STAFF:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(
                    username=username,
                    password=DEMO_PASSWORD,
                    kind=Kind.STAFF,
                    name=name,
                    department=by_code[dept_code],
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

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "The demo's passwords and TOTP secrets are published; refusing to load them with DASAN_DEBUG off. "
                "Use --allow-production only on a machine nobody else can reach."
            )
        self.load()
        # The knowledge base is indexed by the worker in the background (articles
        # first, the 4,665-row welfare FAQ last), so this never blocks start-up.
        from dasan.knowledge.demo import load_demo_sources

        load_demo_sources()
        # 민원 categories, answer templates and a few sample complaints by the demo residents.
        from dasan.complaints.demo import load_demo as load_demo_complaints

        load_demo_complaints()
        # The garbage-bag shop's products, prices and stock.
        from dasan.goods.demo import load_demo as load_demo_goods

        load_demo_goods()
        # Bulky waste: the 행정동 crews and a fee table.
        from dasan.waste.demo import load_demo as load_demo_waste

        load_demo_waste()
        # Public facilities: units, resources with hours, rules and prices.
        from dasan.reservations.demo import load_demo as load_demo_reservations

        load_demo_reservations()
        # Counters: 시청 종합민원실 and a 행정복지센터, their counters and service types.
        from dasan.queueing.demo import load_demo as load_demo_queueing

        load_demo_queueing()
        # Documents: the fee catalogue and the two documents the city signs itself.
        from dasan.certificates.demo import load_demo as load_demo_certificates

        load_demo_certificates()
        self.stdout.write(self.style.SUCCESS("데모시 (Demo City) is ready."))
        self.stdout.write(
            "The assistant's knowledge base is being indexed by the worker: articles within a minute or two, the welfare FAQ in about 10-15 minutes."
        )
        if options["quiet_logins"]:
            return
        base = f"http://{settings.DASAN['SERVE_BIND']}"
        self.stdout.write(f"\nResidents — sign in at {base}/accounts/login/ with a phone number;")
        self.stdout.write("  the one-time code is shown on the page in the demo (and written to the worker log):")
        for phone, name, language in RESIDENTS:
            self.stdout.write(f"  {phone[:3]}-{phone[3:7]}-{phone[7:]}  {name} ({language})")
        self.stdout.write(f"\nStaff — sign in at {base}/accounts/staff/login/ with password '{DEMO_PASSWORD}'")
        self.stdout.write(
            "  and the 6-digit code from an authenticator app set up with the secret (or the code shown now):"
        )
        for username, name, dept_code, role, secret in STAFF:
            dept = dict((c, n) for c, n, _, _ in DEPARTMENTS)[dept_code]
            self.stdout.write(
                f"  {username:<13} {name} · {dept} · {role.label}  secret {secret}  code now {pyotp.TOTP(secret).now()}"
            )
        self.stdout.write("")
