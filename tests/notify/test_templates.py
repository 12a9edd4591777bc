"""Versioned templates: sync from code, admin edits as new versions, rendering, fallback."""

from __future__ import annotations

import pytest

from dasan.notify import templates
from dasan.notify.models import Template


def test_first_use_creates_version_1_per_language(db):
    tpl = templates.active_template("test.hello", "ko")
    assert (tpl.key, tpl.language, tpl.version, tpl.active) == ("test.hello", "ko", 1, True)
    assert set(Template.objects.filter(key="test.hello").values_list("language", "version")) == {("ko", 1), ("en", 1)}


def test_sync_is_idempotent_and_versions_changed_text(db):
    templates.sync(["test.hello"])
    assert templates.sync(["test.hello"]) == 0
    templates.register("test.hello", text={"ko": {"subject": "새 제목", "body": "바뀐 본문 {{ number }}"}})
    assert templates.sync(["test.hello"]) == 1
    versions = Template.objects.filter(key="test.hello", language="ko").order_by("version")
    assert [(t.version, t.active) for t in versions] == [(1, False), (2, True)]
    assert versions[0].body.startswith("{{ name }}")  # version 1 kept unchanged


def test_admin_edit_wins_over_later_code_change(db, make_staff):
    templates.sync(["test.hello"])
    v1 = Template.objects.get(key="test.hello", language="ko", version=1)
    admin_version = templates.save_new_version(
        v1, subject="시청 알림", body="접수 {{ number }}", user=make_staff("editor")
    )
    assert admin_version.version == 2 and admin_version.origin == "admin" and admin_version.active
    templates.register("test.hello", text={"ko": {"subject": "코드", "body": "코드 {{ number }}"}})
    templates.sync(["test.hello"])
    active = templates.active_template("test.hello", "ko")
    assert active.pk == admin_version.pk
    assert Template.objects.filter(key="test.hello", language="ko").count() == 3


def test_messages_keep_the_version_they_were_rendered_from(db, resident):
    from dasan.notify.services import enqueue

    first = enqueue("test.hello", recipient=resident, channel="console", context={"number": 7})
    v1 = Template.objects.get(key="test.hello", language="ko", version=1)
    templates.save_new_version(v1, subject="새 제목", body="새 본문 {{ number }}")
    second = enqueue("test.hello", recipient=resident, channel="console", context={"number": 8})
    first.refresh_from_db()
    assert first.template_version == 1 and "접수번호 7번" in first.body
    assert second.template_version == 2 and second.body == "새 본문 8"
    assert Template.objects.get(pk=v1.pk).body == v1.body


def test_language_falls_back_to_korean(db, make_resident):
    from dasan.notify.services import enqueue

    vi = make_resident(name="Nguyen", language="vi")
    en = make_resident(name="Kim", language="en")
    to_vi = enqueue("test.hello", recipient=vi, channel="console", context={"number": 1})
    to_en = enqueue("test.hello", recipient=en, channel="console", context={"number": 2})
    explicit = enqueue("test.hello", recipient=vi, channel="console", language="en", context={"number": 3})
    assert to_vi.language == "ko" and "접수되었습니다" in to_vi.body
    assert to_en.language == "en" and to_en.body == "Dear Kim, request 2 was received."
    assert explicit.language == "en"


def test_city_and_name_variables(db, city, resident):
    from dasan.notify.services import enqueue

    message = enqueue("test.hello", recipient=resident, channel="console", context={"number": 5})
    assert message.subject == "테스트시 알림"
    assert message.body.startswith("김주민님")


def test_city_defaults_to_dasan_without_profile(db, resident):
    from dasan.notify.services import enqueue

    assert enqueue("test.hello", recipient=resident, channel="console", context={"number": 5}).subject == "다산 알림"


def test_text_is_not_escaped_but_html_email_is(db, make_resident):
    from dasan.notify.services import enqueue

    person = make_resident(email="kim@example.com")
    sms = enqueue("test.markup", recipient=person, channel="sms", context={"value": "<i>x</i> & y"})
    mail = enqueue("test.markup", recipient=person, channel="email", context={"value": "<i>x</i> & y"})
    assert sms.body == "A & B <b><i>x</i> & y</b>"
    assert mail.body == sms.body
    assert "&lt;i&gt;x&lt;/i&gt; &amp; y" in mail.html_body
    assert "<b>" in mail.html_body  # the template's own markup stays markup


def test_register_requires_korean_and_valid_category():
    with pytest.raises(ValueError):
        templates.register("test.bad", text={"en": {"body": "x"}})
    with pytest.raises(ValueError):
        templates.register("test.bad", category="spam", text={"ko": {"body": "x"}})


def test_only_one_active_version_per_language(db):
    from django.db import IntegrityError, transaction

    templates.sync(["test.hello"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Template.objects.create(key="test.hello", language="ko", version=9, body="x", active=True)
