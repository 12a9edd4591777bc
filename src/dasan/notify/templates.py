"""Notification templates: registered in code, versioned in the database, rendered
with Django's template engine.

Apps register their texts in ``AppConfig.ready()``::

    from dasan.notify.templates import register
    register("accounts.otp", category="transactional", text={
        "ko": {"subject": "인증번호", "body": "[{{ city }}] 인증번호 {{ code }}"},
        "en": {"subject": "Code", "body": "[{{ city }}] Your code is {{ code }}"},
    })

The registered text becomes version 1 in the database (after ``migrate``, or at the
first use of the key). When the registered text changes in a later release, a new
version is added. Staff edit a template in the admin, which saves a new version and
makes it active; a version that messages point to is never changed. When staff have
edited a template, their version stays active even if the code's text changes (the
code's new version is kept, inactive, for them to compare).
"""

from __future__ import annotations

import dataclasses
import logging

from django.db import IntegrityError, transaction
from django.template import Context, Engine
from django.template import Template as DjangoTemplate
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe

from dasan.core.conf import setting

logger = logging.getLogger(__name__)

SOURCE_LANGUAGE = "ko"
_LIBRARIES = {"i18n": "django.templatetags.i18n", "l10n": "django.templatetags.l10n", "tz": "django.templatetags.tz"}
# SMS, AlimTalk and the plain-text part of an e-mail must not get HTML entities.
TEXT_ENGINE = Engine(autoescape=False, libraries=_LIBRARIES)
HTML_ENGINE = Engine(autoescape=True, libraries=_LIBRARIES)


@dataclasses.dataclass(frozen=True)
class Registered:
    key: str
    category: str
    text: dict
    kakao_template_code: str | None = None


_registry: dict[str, Registered] = {}
_synced: set[str] = set()


def normalise_language(code: str | None) -> str:
    """Django's language code for ``code`` ("zh_Hans" → "zh-hans")."""
    return (code or SOURCE_LANGUAGE).replace("_", "-").lower()


def register(key: str, *, category: str = "transactional", text: dict, kakao_template_code: str | None = None) -> None:
    """Register the texts of template ``key`` (Korean required; other languages optional).

    ``text`` maps a language code to ``{"subject": ..., "body": ...}`` in Django
    template syntax. Call from ``AppConfig.ready()``; registering a key again
    replaces it (the database gets a new version when the text differs).
    """
    from .models import Category

    if category not in Category.values:
        raise ValueError(f"unknown category {category!r}")
    texts = {}
    for language, parts in text.items():
        if "body" not in parts:
            raise ValueError(f"template {key} [{language}] has no body")
        texts[normalise_language(language)] = {"subject": parts.get("subject", ""), "body": parts["body"]}
    if SOURCE_LANGUAGE not in texts:
        raise ValueError(f"template {key} has no Korean ({SOURCE_LANGUAGE}) text")
    _registry[key] = Registered(key=key, category=category, text=texts, kakao_template_code=kakao_template_code)
    _synced.discard(key)


def registered(key: str) -> Registered | None:
    return _registry.get(key)


def registered_keys() -> list[str]:
    return sorted(_registry)


def kakao_template_code(key: str) -> str:
    entry = _registry.get(key)
    if entry and entry.kakao_template_code:
        return entry.kakao_template_code
    return setting("KAKAO_TEMPLATE_CODES").get(key, key)[:20]


def sync(keys: list[str] | None = None) -> int:
    """Bring the database in line with the registered texts; return the number of
    versions created. Safe to run from several processes at once."""
    created = 0
    for key in keys if keys is not None else list(_registry):
        entry = _registry.get(key)
        if entry is None:
            continue
        for language, parts in entry.text.items():
            try:
                created += _sync_one(entry, language, parts)
            except IntegrityError:
                # Another process created the same version first; theirs is as good.
                logger.info("template %s [%s] synced concurrently", key, language)
        _synced.add(key)
    return created


def _sync_one(entry: Registered, language: str, parts: dict) -> int:
    from .models import Template

    with transaction.atomic():
        versions = Template.objects.select_for_update().filter(key=entry.key, language=language)
        latest_code = versions.filter(origin=Template.Origin.CODE).order_by("-version").first()
        if (
            latest_code
            and latest_code.subject == parts["subject"]
            and latest_code.body == parts["body"]
            and (latest_code.category == entry.category)
        ):
            return 0
        current = versions.filter(active=True).first()
        make_active = current is None or current.origin == Template.Origin.CODE
        if make_active and current is not None:
            versions.filter(active=True).update(active=False)
        last = versions.order_by("-version").first()
        Template.objects.create(
            key=entry.key,
            language=language,
            version=(last.version + 1) if last else 1,
            subject=parts["subject"],
            body=parts["body"],
            category=entry.category,
            origin=Template.Origin.CODE,
            active=make_active,
        )
        if not make_active:
            logger.warning(
                "template %s [%s]: code text changed but staff's edited version stays active", entry.key, language
            )
        return 1


def save_new_version(template, *, subject: str, body: str, category: str | None = None, user=None):
    """Save staff's edit of ``template`` as a new, active version (the old one stays
    as it was for the messages that used it). Returns the new Template."""
    from .models import Template

    validate_text(subject, body)
    with transaction.atomic():
        versions = Template.objects.select_for_update().filter(key=template.key, language=template.language)
        last = versions.order_by("-version").first()
        versions.filter(active=True).update(active=False)
        return Template.objects.create(
            key=template.key,
            language=template.language,
            version=last.version + 1 if last else 1,
            subject=subject,
            body=body,
            category=category or template.category,
            origin=Template.Origin.ADMIN,
            active=True,
            created_by=user,
        )


def validate_text(subject: str, body: str) -> None:
    """Raise django.template.TemplateSyntaxError when the text does not compile."""
    DjangoTemplate(subject, engine=TEXT_ENGINE)
    DjangoTemplate(body, engine=TEXT_ENGINE)


def active_template(key: str, language: str):
    """The active version of ``key`` in ``language``, else in Korean; None when the key
    is unknown. Registered keys are synced into the database on first use."""
    from .models import Template

    language = normalise_language(language)
    if key in _registry and key not in _synced:
        sync([key])
    for attempt in range(2):
        found = {
            t.language: t
            for t in Template.objects.filter(key=key, active=True, language__in={language, SOURCE_LANGUAGE})
        }
        if language in found or SOURCE_LANGUAGE in found:
            return found.get(language) or found[SOURCE_LANGUAGE]
        if attempt == 0 and key in _registry:
            sync([key])  # rows gone (a rolled-back test, a restored database): put them back
    return None


@dataclasses.dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    html_body: str = ""


def render(template, context: dict, *, html: bool = False) -> Rendered:
    """Render ``template`` (a Template row) with ``context``. Subject and body are plain
    text (no escaping); with ``html`` an escaped HTML version of the body is made too."""
    ctx = dict(context)
    subject = DjangoTemplate(template.subject, engine=TEXT_ENGINE).render(Context(ctx, autoescape=False))
    body = DjangoTemplate(template.body, engine=TEXT_ENGINE).render(Context(ctx, autoescape=False))
    html_body = ""
    if html:
        inner = DjangoTemplate(template.body, engine=HTML_ENGINE).render(Context(ctx, autoescape=True))
        html_body = render_to_string(
            "notify/email.html",
            {
                "subject": " ".join(subject.split()),
                "content": mark_safe(linebreaks(inner, autoescape=False)),
                "LANGUAGE_CODE": translation.get_language() or SOURCE_LANGUAGE,
                **ctx,
            },
        )
    return Rendered(subject=" ".join(subject.split()), body=body.strip(), html_body=html_body)
