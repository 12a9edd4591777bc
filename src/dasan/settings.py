"""Dasan settings: one module, configured only through environment variables.

Every variable is documented in docs/configuration.md. Defaults give the embedded
set-up (SQLite under ``var/``, database-backed cache and task queue) so that
``make run`` works on a bare machine; production sets DATABASE_URL, REDIS_URL,
DASAN_SECRET_KEY, DASAN_DEBUG=0 and DASAN_ALLOWED_HOSTS.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_str(name: str, default: str) -> str:
    """The variable's value; unset or empty gives ``default`` (an empty value never means
    "switch it off" by accident: settings whose empty value means something say so)."""
    value = os.environ.get(name)
    return default if value is None or value.strip() == "" else value


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def env_map(name: str) -> dict[str, str]:
    """``key=value,key=value`` → dict (empty when unset)."""
    pairs = (item.partition("=") for item in env_list(name))
    return {key.strip(): value.strip() for key, _sep, value in pairs if key.strip()}


def env_rates(name: str) -> dict[str, tuple[int, int]] | None:
    """``sms=10/1,email=5/1`` → {"sms": (10, 1), ...}: messages per seconds; None when unset."""
    rates = env_map(name)
    if not rates:
        return None
    parsed = {}
    for channel, rate in rates.items():
        count, _sep, window = rate.partition("/")
        parsed[channel] = (int(count), int(window or 1))
    return parsed


def env_rate(name: str, default: str) -> tuple[int, int]:
    """``120/60`` → (120, 60): hits per seconds."""
    count, _sep, window = env_str(name, default).partition("/")
    return int(count), int(window or 60)


def env_refund_rules(name: str) -> list[tuple[int, int]] | None:
    """``168=100,24=50`` → [(168, 100), (24, 50)]: hours before the start, percent refunded."""
    rules = env_map(name)
    if not rules:
        return None
    return sorted(((int(hours), int(percent)) for hours, percent in rules.items()), reverse=True)


PACKAGE_DIR = Path(__file__).resolve().parent
# var/ holds everything the running city writes: the SQLite file, uploaded media,
# search indexes, the generated secret key. Never tracked by git.
VAR_DIR = Path(os.environ.get("DASAN_VAR_DIR", Path.cwd() / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DASAN_DEBUG", False)


def _secret_key() -> str:
    key = os.environ.get("DASAN_SECRET_KEY")
    if key:
        return key
    # Embedded default: a random key generated once and kept under var/, so a
    # fresh install is never running on a well-known key.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("DASAN_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DASAN_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # ninja ships the Swagger UI assets, so /api/v1/docs works without a CDN.
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "dasan.core",
    "dasan.accounts",
    "dasan.translation",
    "dasan.notify",
    "dasan.knowledge",
    "dasan.assistant",
    "dasan.payments",
    "dasan.complaints",
    "dasan.waste",
    "dasan.goods",
    "dasan.reservations",
    "dasan.queueing",
    "dasan.certificates",
    "dasan.participation",
    "dasan.wallet",
    # A city's own apps, kept outside Dasan (comma-separated modules; see docs/dev/new-app.md).
    *env_list("DASAN_EXTRA_APPS"),
    "dasan.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy with a per-request nonce on every page (core.csp).
    "dasan.core.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dasan.accounts.middleware.ActivateUserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A service's error that a page did not catch becomes the 404/403 page or a message (core.http).
    "dasan.core.http.DasanErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Control characters, oversized or too deeply nested bodies, unreadable forms: 4xx before a view (core.guard).
    "dasan.core.guard.RequestGuardMiddleware",
    "dasan.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "dasan.urls"
WSGI_APPLICATION = "dasan.wsgi.application"
ASGI_APPLICATION = "dasan.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "dasan.core.context_processors.municipality",
                "dasan.core.csp.nonce",
            ],
        },
    }
]

# --- Database ---------------------------------------------------------------
DEFAULT_SQLITE_URL = f"sqlite:///{VAR_DIR / 'dasan.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", DEFAULT_SQLITE_URL),
        conn_max_age=env_int("DASAN_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
IS_SQLITE = DATABASES["default"]["ENGINE"].endswith("sqlite3")
IS_POSTGRES = "postgresql" in DATABASES["default"]["ENGINE"]
if IS_SQLITE:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets readers run beside the single writer; IMMEDIATE makes every
            # transaction take the write lock up front, which serialises
            # concurrent writers instead of failing them half-way ("database is locked").
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and rate limits ----------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("DASAN_CACHE_PREFIX", "dasan"),
        }
    }
else:
    # The database cache is shared by every web and worker process, so rate
    # limits hold across processes without Redis.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "dasan_cache"}}

# --- Background work (django.tasks API, backported) ----------------------------
# Queues: "messages" (notifications, sign-in codes) has its own worker so it never
# waits behind "indexing" (knowledge base) or "default" work; see docs/operations.md.
TASKS = {
    "default": {
        "BACKEND": env_str("DASAN_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "messages", "indexing"],
    }
}

# --- Auth -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["dasan.accounts.backends.DasanBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env_int("DASAN_SESSION_AGE", 60 * 60 * 8)

# --- I18N -----------------------------------------------------------------
LANGUAGE_CODE = "ko"
LANGUAGES = [
    ("ko", _("한국어")),
    ("en", _("English")),
    ("zh-hans", _("简体中文")),
    ("vi", _("Tiếng Việt")),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("DASAN_TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DASAN_STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DASAN_MEDIA_ROOT", VAR_DIR / "media"))
# WhiteNoise serves from STATIC_ROOT once `dasan serve` has collected into it; it
# must exist from the start so a fresh install starts without warnings.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Security (production mode passes `check --deploy`) ---------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    HTTPS = env_bool("DASAN_HTTPS", True)
    SECURE_SSL_REDIRECT = HTTPS and env_bool("DASAN_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = HTTPS
    CSRF_COOKIE_SECURE = HTTPS
    SECURE_HSTS_SECONDS = env_int("DASAN_HSTS_SECONDS", 31536000) if HTTPS else 0
    SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
    SECURE_HSTS_PRELOAD = env_bool("DASAN_HSTS_PRELOAD", True) and HTTPS
    if env_bool("DASAN_BEHIND_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Behind a TLS-terminating proxy the health endpoint is probed over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Outgoing mail -------------------------------------------------------------------
EMAIL_HOST = env_str("DASAN_SMTP_HOST", "127.0.0.1")
EMAIL_PORT = env_int("DASAN_SMTP_PORT", 25)
EMAIL_HOST_USER = os.environ.get("DASAN_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DASAN_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DASAN_SMTP_STARTTLS", False)
EMAIL_TIMEOUT = env_int("DASAN_SMTP_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DASAN_FROM_EMAIL", "dasan@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Dasan ----------------------------------------------------------------------
DASAN = {
    # Channels a message can go out on; "console" writes to the log (the demo).
    "NOTIFY_CHANNELS": env_list("DASAN_NOTIFY_CHANNELS", "console,email"),
    # Public base URL for links inside messages (unsubscribe); set it in production.
    "PUBLIC_URL": os.environ.get("DASAN_PUBLIC_URL", ""),
    # Proxies whose X-Forwarded-For the audit log believes (addresses or CIDR networks).
    "TRUSTED_PROXIES": env_list("DASAN_TRUSTED_PROXIES"),
    "NOTIFY_QUIET_HOURS": env_str("DASAN_NOTIFY_QUIET_HOURS", "21:00-08:00"),
    "NOTIFY_RECEIPT_SECRET": os.environ.get("DASAN_NOTIFY_RECEIPT_SECRET", ""),
    # SMS and AlimTalk speak NHN Cloud's API shapes (see src/dasan/notify/README.md).
    "SMS_GATEWAY_URL": os.environ.get("DASAN_SMS_GATEWAY_URL", ""),
    "SMS_APP_KEY": os.environ.get("DASAN_SMS_APP_KEY", ""),
    "SMS_TIMEOUT": env_float("DASAN_SMS_TIMEOUT", 10.0),
    "KAKAO_APP_KEY": os.environ.get("DASAN_KAKAO_APP_KEY", ""),
    "KAKAO_TIMEOUT": env_float("DASAN_KAKAO_TIMEOUT", 10.0),
    "SMS_GATEWAY_KEY": os.environ.get("DASAN_SMS_GATEWAY_KEY", ""),
    "SMS_SENDER": os.environ.get("DASAN_SMS_SENDER", ""),
    "KAKAO_ALIMTALK_URL": os.environ.get("DASAN_KAKAO_ALIMTALK_URL", ""),
    "KAKAO_ALIMTALK_KEY": os.environ.get("DASAN_KAKAO_ALIMTALK_KEY", ""),
    "KAKAO_SENDER_KEY": os.environ.get("DASAN_KAKAO_SENDER_KEY", ""),
    # Where one-time sign-in codes go: "sms" in production, "console" in the demo.
    "OTP_CHANNEL": env_str("DASAN_OTP_CHANNEL", "console"),
    # The city's own OpenAI-compatible model server for generated answers (optional;
    # without it the assistant answers extractively from the knowledge base).
    "LLM_URL": os.environ.get("DASAN_LLM_URL", ""),
    "LLM_MODEL": os.environ.get("DASAN_LLM_MODEL", ""),
    "LLM_API_KEY": os.environ.get("DASAN_LLM_API_KEY", ""),
    "LLM_TIMEOUT": env_float("DASAN_LLM_TIMEOUT", 8.0),
    # Kakao i Open Builder skill: shared secret header X-Dasan-Skill-Secret (required
    # unless DASAN_DEBUG=1).
    "KAKAO_SKILL_SECRET": os.environ.get("DASAN_KAKAO_SKILL_SECRET", ""),
    "KAKAO_WORKERS": env_int("DASAN_KAKAO_WORKERS", 4),
    # Hosts a skill request's callbackUrl may name (patterns; Kakao does not document its
    # callback host, which is under kakao.com in practice).
    "KAKAO_CALLBACK_HOSTS": [
        host.strip()
        for host in env_str("DASAN_KAKAO_CALLBACK_HOSTS", "*.kakao.com,*.kakaoenterprise.com").split(",")
        if host.strip()
    ],
    # Skill request limits, hits per seconds: per Kakao user, per source address, all
    # together, and new conversations.
    "KAKAO_RATE_PER_USER": env_rate("DASAN_KAKAO_RATE_PER_USER", "20/60"),
    "KAKAO_RATE_PER_ADDRESS": env_rate("DASAN_KAKAO_RATE_PER_ADDRESS", "120/60"),
    "KAKAO_RATE_GLOBAL": env_rate("DASAN_KAKAO_RATE_GLOBAL", "300/60"),
    "KAKAO_NEW_CONVERSATIONS": env_rate("DASAN_KAKAO_NEW_CONVERSATIONS", "300/600"),
    "SERVE_BIND": env_str("DASAN_BIND", "127.0.0.1:8000"),
    "WEB_WORKERS": env_int("DASAN_WEB_WORKERS", 2),
    "WEB_THREADS": env_int("DASAN_WEB_THREADS", 4),
    # Complaints (민원): automatic routing above this classifier confidence, else triage.
    "COMPLAINT_AUTO_ASSIGN": float(env_str("DASAN_COMPLAINT_AUTO_ASSIGN", "0.6")),
    "COMPLAINT_PHOTO_MAX_BYTES": env_int("DASAN_COMPLAINT_PHOTO_MAX_BYTES", 10 * 1024 * 1024),
    "COMPLAINT_PHOTO_MAX_COUNT": env_int("DASAN_COMPLAINT_PHOTO_MAX_COUNT", 5),
    "COMPLAINT_PHOTO_MAX_SIDE": env_int("DASAN_COMPLAINT_PHOTO_MAX_SIDE", 1600),
    # A new complaint this close (metres) to an open one of the same category is linked to it.
    "COMPLAINT_DUPLICATE_RADIUS_M": env_int("DASAN_COMPLAINT_DUPLICATE_RADIUS_M", 50),
    "COMPLAINT_DUPLICATE_DAYS": env_int("DASAN_COMPLAINT_DUPLICATE_DAYS", 30),
    # Open311 GeoReport v2: the jurisdiction id clients send (e.g. the city's domain).
    "OPEN311_JURISDICTION": os.environ.get("DASAN_OPEN311_JURISDICTION", ""),
    "OPEN311_POSTS_PER_IP_MINUTE": env_int("DASAN_OPEN311_POSTS_PER_IP_MINUTE", 30),
    "OPEN311_POSTS_PER_KEY_HOUR": env_int("DASAN_OPEN311_POSTS_PER_KEY_HOUR", 600),
    # An answered complaint closes itself after this many days without a resident's reply.
    "COMPLAINT_AUTO_CLOSE_DAYS": env_int("DASAN_COMPLAINT_AUTO_CLOSE_DAYS", 14),
    # PDF documents: a .ttf/.otf with Hangul; empty = the bundled Noto Sans CJK.
    "PDF_FONT": os.environ.get("DASAN_PDF_FONT", ""),
    # Payments: providers offered, the default, and how long an unpaid order lives.
    "PAYMENTS_PROVIDERS": env_str("DASAN_PAYMENTS_PROVIDERS", "office"),
    "PAYMENTS_DEFAULT_PROVIDER": env_str("DASAN_PAYMENTS_DEFAULT_PROVIDER", "office"),
    "PAYMENTS_ORDER_TTL_MINUTES": env_int("DASAN_PAYMENTS_ORDER_TTL_MINUTES", 1440),
    "PAYMENTS_REFUND_APPROVAL_OVER": env_int("DASAN_PAYMENTS_REFUND_APPROVAL_OVER", 100000),
    # "Pay at the office / virtual account" provider (the demo's).
    "PAYMENTS_OFFICE_BANK": env_str("DASAN_PAYMENTS_OFFICE_BANK", "NH농협은행"),
    "PAYMENTS_OFFICE_ACCOUNT_PREFIX": env_str("DASAN_PAYMENTS_OFFICE_ACCOUNT_PREFIX", "790"),
    "PAYMENTS_OFFICE_ACCOUNT_HOLDER": os.environ.get("DASAN_PAYMENTS_OFFICE_ACCOUNT_HOLDER", ""),
    "PAYMENTS_OFFICE_WEBHOOK_SECRET": os.environ.get("DASAN_PAYMENTS_OFFICE_WEBHOOK_SECRET", ""),
    # Card payments through Toss Payments (API v1).
    "PAYMENTS_TOSS_BASE_URL": env_str("DASAN_PAYMENTS_TOSS_BASE_URL", "https://api.tosspayments.com"),
    "PAYMENTS_TOSS_SECRET_KEY": os.environ.get("DASAN_PAYMENTS_TOSS_SECRET_KEY", ""),
    "PAYMENTS_TOSS_TIMEOUT": env_float("DASAN_PAYMENTS_TOSS_TIMEOUT", 10.0),
    # Bulky waste (대형폐기물): booking cut-off the day before, refund share after it, how far ahead.
    "WASTE_CUTOFF": env_str("DASAN_WASTE_CUTOFF", "17:00"),
    "WASTE_LATE_CANCEL_REFUND_PERCENT": env_int("DASAN_WASTE_LATE_CANCEL_REFUND_PERCENT", 0),
    "WASTE_BOOKING_DAYS": env_int("DASAN_WASTE_BOOKING_DAYS", 30),
    "WASTE_REMINDER_TIME": env_str("DASAN_WASTE_REMINDER_TIME", "18:00"),
    "WASTE_PHOTO_MAX_BYTES": env_int("DASAN_WASTE_PHOTO_MAX_BYTES", 10 * 1024 * 1024),
    "WASTE_PHOTO_MAX_SIDE": env_int("DASAN_WASTE_PHOTO_MAX_SIDE", 1600),
    # The phone number printed for bulky-waste questions (empty: the city's main number).
    "WASTE_PHONE": os.environ.get("DASAN_WASTE_PHONE", ""),
    # Reservations (공공시설 예약): how long an unpaid booking holds its slot, how long an approved
    # request waits for payment, the no-show penalty, a waitlist offer's life, and the refund
    # schedule for resources without their own ("168=100,24=50": hours before the start = percent
    # refunded; empty: 7 days 100 %, 1 day 50 %).
    "RESERVATIONS_PAYMENT_MINUTES": env_int("DASAN_RESERVATIONS_PAYMENT_MINUTES", 60),
    "RESERVATIONS_APPROVED_PAYMENT_HOURS": env_int("DASAN_RESERVATIONS_APPROVED_PAYMENT_HOURS", 48),
    "RESERVATIONS_NO_SHOW_PENALTY_DAYS": env_int("DASAN_RESERVATIONS_NO_SHOW_PENALTY_DAYS", 30),
    "RESERVATIONS_WAITLIST_OFFER_MINUTES": env_int("DASAN_RESERVATIONS_WAITLIST_OFFER_MINUTES", 120),
    "RESERVATIONS_REFUND_RULES": env_refund_rules("DASAN_RESERVATIONS_REFUND_RULES"),
    # Documents (민원서류): the largest PDF staff attach, and public verification checks per client.
    "CERTIFICATES_PDF_MAX_BYTES": env_int("DASAN_CERTIFICATES_PDF_MAX_BYTES", 10 * 1024 * 1024),
    "CERTIFICATES_VERIFY_LIMIT": env_int("DASAN_CERTIFICATES_VERIFY_LIMIT", 30),
    # The city's signing certificate for city-issued documents (PKCS#12) and extra trust roots.
    "SIGNING_P12": os.environ.get("DASAN_SIGNING_P12", ""),
    "SIGNING_P12_PASSWORD": os.environ.get("DASAN_SIGNING_P12_PASSWORD", ""),
    "SIGNING_TRUST_ROOTS": os.environ.get("DASAN_SIGNING_TRUST_ROOTS", ""),
    # Machine translation: "" (none), "libretranslate" or "openai" (see the configuration doc).
    "TRANSLATION_ENGINE": os.environ.get("DASAN_TRANSLATION_ENGINE", ""),
    "TRANSLATION_URL": os.environ.get("DASAN_TRANSLATION_URL", ""),
    "TRANSLATION_API_KEY": os.environ.get("DASAN_TRANSLATION_API_KEY", ""),
    "TRANSLATION_MODEL": os.environ.get("DASAN_TRANSLATION_MODEL", ""),
    "TRANSLATION_TIMEOUT": env_float("DASAN_TRANSLATION_TIMEOUT", 10.0),
    "TRANSLATION_MAX_CHARS": env_int("DASAN_TRANSLATION_MAX_CHARS", 5000),
    # Spoken questions (dasan[voice]).
    "VOICE_ENABLED": env_bool("DASAN_VOICE_ENABLED", True),
    "VOICE_MODEL": os.environ.get("DASAN_VOICE_MODEL", ""),
    "VOICE_MAX_SECONDS": env_float("DASAN_VOICE_MAX_SECONDS", 30.0),
    "VOICE_MAX_BYTES": env_int("DASAN_VOICE_MAX_BYTES", 2 * 1024 * 1024),
    "VOICE_TIMEOUT": env_float("DASAN_VOICE_TIMEOUT", 30.0),
    "VOICE_WORKERS": env_int("DASAN_VOICE_WORKERS", 1),
    "VOICE_QUEUE_TIMEOUT": env_float("DASAN_VOICE_QUEUE_TIMEOUT", 20.0),
    # Notifications: per-channel send rates ("sms=10/1,kakao=10/1,email=5/1"; empty: the defaults)
    # and AlimTalk template codes approved by Kakao ("complaints.received=DSN001,...").
    "NOTIFY_RATE_LIMITS": env_rates("DASAN_NOTIFY_RATE_LIMITS"),
    "KAKAO_TEMPLATE_CODES": env_map("DASAN_KAKAO_TEMPLATE_CODES"),
    # The demo shows residents' one-time codes on the sign-in page (only with DASAN_DEBUG=1).
    "DEMO_SHOW_OTP": env_bool("DASAN_DEMO_SHOW_OTP", False),
    # Proxies whose X-Forwarded-* gunicorn believes (dasan serve).
    "FORWARDED_ALLOW_IPS": env_str("DASAN_FORWARDED_ALLOW_IPS", "127.0.0.1"),
    # Web processes load the search index and models at start-up ("0": on the first question).
    "WARM_ON_START": env_bool("DASAN_WARM_ON_START", True),
    # --- residency (accounts): begin ---
    # Largest resident list (주민 명부 CSV) the staff page accepts, in MB (the command takes any).
    "RESIDENCY_ROSTER_MAX_MB": env_int("DASAN_RESIDENCY_ROSTER_MAX_MB", 50),
    # --- residency (accounts): end ---
    # --- participation: begin ---
    # 주민참여예산: the youngest voter (만 나이 on the last voting day; a process may set its own),
    # counts below which statistics show "<k", and proposal/update photos.
    "PARTICIPATION_MIN_AGE": env_int("DASAN_PARTICIPATION_MIN_AGE", 14),
    "PARTICIPATION_SUPPRESS_BELOW": env_int("DASAN_PARTICIPATION_SUPPRESS_BELOW", 10),
    "PARTICIPATION_PHOTOS_MAX": env_int("DASAN_PARTICIPATION_PHOTOS_MAX", 3),
    "PARTICIPATION_PHOTO_MAX_BYTES": env_int("DASAN_PARTICIPATION_PHOTO_MAX_BYTES", 10 * 1024 * 1024),
    "PARTICIPATION_PHOTO_MAX_SIDE": env_int("DASAN_PARTICIPATION_PHOTO_MAX_SIDE", 1600),
    # --- participation: end ---
    # --- wallet: begin ---
    # 이음 지갑: conversion limits (won), the longest a resident can be active in a day, how long
    # a check-in QR code lives, the conversion retries, the reconciliation owner and the notice lead.
    "WALLET_CONVERSION_MIN": env_int("DASAN_WALLET_CONVERSION_MIN", 1000),
    "WALLET_CONVERSION_MAX": env_int("DASAN_WALLET_CONVERSION_MAX", 500000),
    "WALLET_MAX_MINUTES_PER_DAY": env_int("DASAN_WALLET_MAX_MINUTES_PER_DAY", 720),
    "WALLET_QR_SECONDS": env_int("DASAN_WALLET_QR_SECONDS", 300),
    "WALLET_RETRY_SECONDS": env_int("DASAN_WALLET_RETRY_SECONDS", 60),
    "WALLET_MAX_ATTEMPTS": env_int("DASAN_WALLET_MAX_ATTEMPTS", 10),
    "WALLET_OWNER_DEPARTMENT": os.environ.get("DASAN_WALLET_OWNER_DEPARTMENT", ""),
    "WALLET_EXPIRY_NOTICE_DAYS": env_int("DASAN_WALLET_EXPIRY_NOTICE_DAYS", 30),
    "WALLET_EVIDENCE_MAX_BYTES": env_int("DASAN_WALLET_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024),
    "WALLET_PARTNER_REQUESTS_PER_MINUTE": env_int("DASAN_WALLET_PARTNER_REQUESTS_PER_MINUTE", 60),
    # 지역화폐 operator: "" (none), "http" or "fake" (docs/dev/wallet-currency.md).
    "WALLET_CURRENCY_ENGINE": env_str("DASAN_WALLET_CURRENCY_ENGINE", ""),
    "WALLET_CURRENCY_URL": env_str("DASAN_WALLET_CURRENCY_URL", ""),
    "WALLET_CURRENCY_API_KEY": env_str("DASAN_WALLET_CURRENCY_API_KEY", ""),
    "WALLET_CURRENCY_TIMEOUT": env_float("DASAN_WALLET_CURRENCY_TIMEOUT", 5.0),
    "WALLET_CURRENCY_ALLOWED_HOSTS": env_list("DASAN_WALLET_CURRENCY_ALLOWED_HOSTS", ""),
    "WALLET_CURRENCY_CA_FILE": env_str("DASAN_WALLET_CURRENCY_CA_FILE", ""),
    # --- wallet: end ---
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"pii": {"()": "dasan.core.pii.PiiMaskingFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["pii"]},
    },
    "root": {"handlers": ["console"], "level": env_str("DASAN_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}
