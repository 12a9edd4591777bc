"""Fixtures shared by every app's tests: a city with departments, residents and staff.

App-specific fixtures live in tests/<app>/conftest.py.
"""

from __future__ import annotations

import os

# The bundled embedding model (onnxruntime) starts one thread per core; parallel
# test workers on two cores then fight over them and the suite gets ~10x slower.
# One thread per worker, set before anything loads the model.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("OMP_NUM_THREADS", "1")

import pytest  # noqa: E402
from django.conf import settings  # noqa: E402


def pytest_configure(config):
    # The suite runs the production settings (DEBUG off), but speaks plain HTTP to
    # the test client and the live server, and renders {% static %} from the
    # finders instead of a collectstatic manifest. Set before any server starts.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_HSTS_SECONDS = 0
    # Hashing strength is not under test; a fast hasher keeps the suite quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Parallel test workers share one Redis server: give each its own database
    # number so clearing the cache in one worker never touches another's keys.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    cache = settings.CACHES["default"]
    if cache["BACKEND"].endswith("RedisCache"):
        index = 1 + int(worker.removeprefix("gw") or 0)
        base = cache["LOCATION"].rsplit("/", 1)[0] if cache["LOCATION"].count("/") > 2 else cache["LOCATION"]
        cache["LOCATION"] = f"{base}/{index}"


@pytest.fixture(autouse=True)
def _korean_by_default():
    """Each test starts in Korean, as a new visitor does: a previous test's request in
    another language must not leave that language active in this thread."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached lookups never leak from one test into the next."""
    from django.core.cache import cache

    try:
        cache.clear()
    except Exception:  # noqa: BLE001 - the DB cache table exists only once a DB test starts
        pass
    yield


@pytest.fixture
def city(db):
    from dasan.core.models import Municipality

    return Municipality.objects.create(name="테스트시", name_en="Test City", region_code="99999", phone="02-000-0000")


@pytest.fixture
def departments(db):
    from dasan.core.models import Department

    root = Department.objects.create(code="1000", name="시청")
    waste = Department.objects.create(code="1100", name="청소행정과", phone="02-100-1100", parent=root)
    roads = Department.objects.create(code="1200", name="도로과", phone="02-100-1200", parent=root)
    return {"root": root, "waste": waste, "roads": roads}


@pytest.fixture
def make_resident(db):
    from dasan.accounts.models import Kind, User

    counter = {"n": 0}

    def make(phone: str | None = None, name: str = "주민", language: str = "ko", **extra):
        counter["n"] += 1
        phone = phone or f"010{counter['n']:08d}"
        return User.objects.create_user(
            username=f"resident-{phone}", kind=Kind.RESIDENT, phone=phone, name=name, language=language, **extra
        )

    return make


@pytest.fixture
def make_staff(db):
    from dasan.accounts.models import Kind, Role, User

    def make(
        username: str, department=None, role: str = Role.OFFICER, password: str = "correct-horse-battery-9", **extra
    ):
        return User.objects.create_user(
            username=username,
            password=password,
            kind=Kind.STAFF,
            role=role,
            department=department,
            name=username,
            **extra,
        )

    return make


@pytest.fixture
def resident(make_resident):
    return make_resident(phone="01012345678", name="김주민")


@pytest.fixture
def is_postgres():
    return "postgresql" in settings.DATABASES["default"]["ENGINE"]


# --- which engine runs what -------------------------------------------------------------------
# CI runs the whole suite once on PostgreSQL (production) and, on SQLite (the embedded
# default), only what can behave differently there: tests that touch the database. A test
# that uses no database (PII masking, retrieval, audio decoding, translation adapters, the
# house-rule scans) runs the same code on either engine, so it is marked `no_db` and the
# SQLite pass deselects it (`-m "not no_db and not browser and not postgres"`); nothing is
# skipped. Browser journeys walk the same services as the page tests and run once, on
# PostgreSQL, as do the races marked `postgres`.
DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        uses_db = item.get_closest_marker("django_db") is not None or bool(DB_FIXTURES & set(item.fixturenames))
        if not uses_db:
            item.add_marker(pytest.mark.no_db)


@pytest.fixture
def make_verified_resident(make_resident, make_staff, departments):
    """A resident whose residency the city has confirmed (residents-only services accept
    them): ``make_verified_resident(birth_date=date(1990, 1, 1), dong_name="역삼1동")``."""
    import datetime as dt

    from dasan.accounts import residency
    from dasan.accounts.models import Role

    # A city administrator holds the residency permission (accounts.permissions.holds).
    clerk = make_staff("residency-clerk", department=departments["root"], role=Role.ADMIN)

    def make(*, birth_date=dt.date(1990, 1, 1), dong_name="역삼1동", dong_code="1168064000", **resident):
        person = make_resident(**resident)
        declared = residency.declare(person, birth_date=birth_date, dong_name=dong_name, dong_code=dong_code)
        residency.verify(declared, actor=clerk)
        return person

    return make
