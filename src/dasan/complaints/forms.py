"""Resident forms: a general complaint, an illegal-parking report, a satisfaction rating.

The forms check what a person can fix on the page (missing fields, a location for a
category that needs one, how many photos); the rules of the service itself (photo
contents, the minute between parking photos, the signed statement) are checked by
the services (:mod:`.intake`, :mod:`.parking`, :mod:`.services`) and come back as
:class:`~dasan.core.errors.DasanError`, which :func:`attach_service_error` puts next to
the field it is about.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dasan.core.conf import setting
from dasan.core.http import user_errors

from . import parking
from .models import Category, ContactPreference

#: Conversation ids from the assistant are opaque; accept only a short, plain token.
SOURCE_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
TITLE_MAX = 200
DESCRIPTION_MAX = 5000


def max_photos() -> int:
    return int(setting("COMPLAINT_PHOTO_MAX_COUNT"))


def max_photo_bytes() -> int:
    return int(setting("COMPLAINT_PHOTO_MAX_BYTES"))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from one ``<input type=file multiple>``; cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        items = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        files = [single(item, initial) for item in items if item]
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return files


def _check_photo_size(upload) -> None:
    limit = max_photo_bytes()
    if upload is not None and getattr(upload, "size", 0) > limit:
        raise forms.ValidationError(
            _("사진 한 장은 %(mb)dMB를 넘을 수 없습니다.") % {"mb": limit // (1024 * 1024)}, code="photo_too_large"
        )


def _coordinate(label, low: int, high: int) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal(low),
        max_value=Decimal(high),
        decimal_places=6,
        max_digits=9,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        localize=False,
    )


class _LocationMixin:
    """Latitude and longitude come together or not at all (the model's constraint too)."""

    def _clean_location(self, cleaned: dict, *, required: bool) -> None:
        lat, lng = cleaned.get("latitude"), cleaned.get("longitude")
        if (lat is None) != (lng is None) and "latitude" not in self.errors and "longitude" not in self.errors:
            self.add_error("latitude", _("위도와 경도를 함께 입력해 주세요. 현재 위치 버튼을 누르면 채워집니다."))
        has_place = bool((cleaned.get("address") or cleaned.get("place") or "").strip()) or (
            lat is not None and lng is not None
        )
        if required and not has_place and not self.errors.get("address") and not self.errors.get("place"):
            field = "place" if "place" in self.fields else "address"
            self.add_error(field, _("이 분류는 위치가 필요합니다. 주소를 적거나 현재 위치를 넣어 주세요."))


class AccessibleFormMixin:
    """Ties help and error texts to their inputs (``aria-describedby``, ``aria-invalid``)."""

    def prepare_for_render(self) -> AccessibleFormMixin:
        for name, field in self.fields.items():
            bound = self[name]
            ids = []
            if field.help_text:
                ids.append(f"{bound.auto_id}-help")
            if bound.errors:
                ids.append(f"{bound.auto_id}-error")
                field.widget.attrs["aria-invalid"] = "true"
            else:
                field.widget.attrs.pop("aria-invalid", None)
            if ids and not isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs["aria-describedby"] = " ".join(ids)
            else:
                field.widget.attrs.pop("aria-describedby", None)
        return self


def category_choices(categories) -> list:
    """Grouped choices for the category select, with an "I don't know" first."""
    groups: dict[str, list] = {}
    for category in categories:
        groups.setdefault(category.group or str(_("기타")), []).append((category.code, category.name))
    choices: list = [("", _("잘 모르겠어요 (내용을 보고 담당 부서를 정합니다)"))]
    choices.extend((group, items) for group, items in groups.items())
    return choices


class ComplaintForm(AccessibleFormMixin, _LocationMixin, forms.Form):
    """일반 민원 신청."""

    category = forms.ChoiceField(
        label=_("분류"),
        required=False,
        help_text=_("모르면 비워 두세요. 내용을 보고 알맞은 부서로 보냅니다."),
    )
    title = forms.CharField(
        label=_("제목"), max_length=TITLE_MAX, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    description = forms.CharField(
        label=_("내용"),
        max_length=DESCRIPTION_MAX,
        help_text=_("무엇이, 언제부터, 어디에서 문제인지 적어 주세요. 주민등록번호는 적지 마세요."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    address = forms.CharField(
        label=_("주소 또는 장소"),
        max_length=200,
        required=False,
        help_text=_("예: 다산로 12 앞 버스정류장"),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    latitude = _coordinate(_("위도"), -90, 90)
    longitude = _coordinate(_("경도"), -180, 180)
    photos = PhotosField(label=_("사진"))  # help text with the configured limits: __init__
    is_public = forms.BooleanField(
        label=_("다른 주민도 볼 수 있게 공개합니다"),
        required=False,
        help_text=_("이름과 연락처는 공개되지 않습니다."),
    )
    anonymous = forms.BooleanField(
        label=_("담당 공무원에게 이름을 알리지 않습니다 (익명)"),
        required=False,
        help_text=_("익명을 허용하는 분류에서만 선택할 수 있습니다. 처리 결과는 이 계정으로 계속 볼 수 있습니다."),
    )
    contact_preference = forms.ChoiceField(
        label=_("처리 결과 알림"),
        choices=ContactPreference.choices,
        initial=ContactPreference.SMS,
        widget=forms.RadioSelect,
    )
    contact_email = forms.EmailField(
        label=_("이메일 주소"),
        required=False,
        max_length=254,
        help_text=_("이메일로 알림을 받을 때만 적어 주세요."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    source = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = {c.code: c for c in (categories or [])}
        self.fields["category"].choices = category_choices(self.categories.values())
        count, limit = max_photos(), max_photo_bytes() // (1024 * 1024)
        self.fields["photos"].help_text = _(
            "최대 %(count)d장, 한 장에 %(mb)dMB까지. 사진의 위치 정보는 읽은 뒤 지웁니다."
        ) % {"count": count, "mb": limit}

    def clean_category(self) -> Category | None:
        code = self.cleaned_data.get("category") or ""
        return self.categories.get(code) if code else None

    def clean_photos(self) -> list:
        photos = self.cleaned_data.get("photos") or []
        if len(photos) > max_photos():
            raise forms.ValidationError(
                _("사진은 %(count)d장까지 올릴 수 있습니다.") % {"count": max_photos()}, code="too_many_photos"
            )
        for photo in photos:
            _check_photo_size(photo)
        return photos

    def clean_source(self) -> str:
        source = (self.cleaned_data.get("source") or "").strip()
        return source if SOURCE_RE.match(source) else ""

    def clean(self):
        cleaned = super().clean()
        category = cleaned.get("category")
        if cleaned.get("anonymous") and not (category and category.allows_anonymous):
            self.add_error("anonymous", _("선택한 분류는 익명으로 신청할 수 없습니다."))
        # A photo's own position can stand in for the place; the service reads it.
        needs_place = bool(category and category.requires_location) and not cleaned.get("photos")
        self._clean_location(cleaned, required=needs_place)
        if (
            cleaned.get("contact_preference") == ContactPreference.EMAIL
            and not cleaned.get("contact_email")
            and "contact_email" not in self.errors
        ):
            self.add_error("contact_email", _("이메일로 알림을 받으려면 이메일 주소를 적어 주세요."))
        return cleaned


def _localtime_input():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ParkingReportForm(AccessibleFormMixin, _LocationMixin, forms.Form):
    """불법주정차 신고: the vehicle, where and when, two photos, the signed statement."""

    plate = forms.CharField(
        label=_("차량번호"),
        max_length=16,
        help_text=_("예: 12가3456, 서울12가3456"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    place = forms.CharField(
        label=_("위반 장소"),
        max_length=200,
        help_text=_("도로명 주소나 건물 이름, 가까운 표지를 적어 주세요."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    latitude = _coordinate(_("위도"), -90, 90)
    longitude = _coordinate(_("경도"), -180, 180)
    observed_at = forms.DateTimeField(
        label=_("위반 일시"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        help_text=_("비워 두면 첫 사진을 찍은 시각으로 합니다."),
        widget=_localtime_input(),
    )
    photo_first = forms.FileField(
        label=_("첫 번째 사진"),
        help_text=_("차량번호가 보이게 찍어 주세요."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    photo_second = forms.FileField(
        label=_("두 번째 사진"),
        help_text=_("같은 자리에서 1분 이상 지난 뒤에 같은 차량을 찍어 주세요."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    description = forms.CharField(
        label=_("덧붙일 내용"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    signer_name = forms.CharField(
        label=_("서명하는 사람 이름"),
        max_length=60,
        help_text=_("아래 진술에 서명하는 사람의 이름입니다."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    consent = forms.BooleanField(label=_("위 내용을 확인했으며, 사실대로 신고하고 전자 서명합니다."))

    def clean_plate(self) -> str:
        with user_errors(flash=False) as outcome:
            plate = parking.normalize_plate(self.cleaned_data.get("plate") or "")
        if outcome.error:
            raise forms.ValidationError(outcome.message, code=outcome.error.code)
        return plate

    def clean_photo_first(self):
        photo = self.cleaned_data.get("photo_first")
        _check_photo_size(photo)
        return photo

    def clean_photo_second(self):
        photo = self.cleaned_data.get("photo_second")
        _check_photo_size(photo)
        return photo

    def clean_observed_at(self) -> dt.datetime | None:
        value = self.cleaned_data.get("observed_at")
        if value and value > timezone.now() + dt.timedelta(minutes=5):
            raise forms.ValidationError(_("위반 일시가 미래일 수 없습니다."), code="observed_in_future")
        return value

    def clean(self):
        cleaned = super().clean()
        self._clean_location(cleaned, required=True)
        return cleaned


class RatingForm(AccessibleFormMixin, forms.Form):
    """만족도 평가 (1-5) after the answer."""

    SCORES = [
        (5, _("5 — 매우 만족")),
        (4, _("4 — 만족")),
        (3, _("3 — 보통")),
        (2, _("2 — 불만족")),
        (1, _("1 — 매우 불만족")),
    ]

    score = forms.TypedChoiceField(
        label=_("처리 결과에 얼마나 만족하시나요?"), choices=SCORES, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("의견 (선택)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def field_for_error(code: str, details: dict | None, fields) -> str | None:
    """Which form field a service error is about (None: the whole form)."""
    details = details or {}
    named = details.get("field")
    if named in fields:
        return named
    code = code or ""
    if code == "location_required" and "place" in fields:
        return "latitude"  # the place is written; its position is what is missing
    guesses = [
        ("contact_email", "contact_email"),
        ("contact", "contact_preference"),
        ("consent", "consent"),
        ("sign", "signer_name"),
        ("plate", "plate"),
        ("observ", "observed_at"),
        ("second", "photo_second"),
        ("photo", "photos" if "photos" in fields else "photo_second"),
        ("anonym", "anonymous"),
        ("categor", "category"),
        ("location", "address" if "address" in fields else "place"),
        ("address", "address"),
        ("place", "place"),
        ("title", "title"),
        ("description", "description"),
        ("latitude", "latitude"),
        ("longitude", "longitude"),
        ("score", "score"),
        ("comment", "comment"),
    ]
    for needle, field in guesses:
        if needle in code and field in fields:
            return field
    return None


def attach_service_error(form: forms.Form, error) -> None:
    """Show a service's :class:`DasanError` next to the field it is about."""
    field = field_for_error(getattr(error, "code", ""), getattr(error, "details", None), form.fields)
    form.add_error(field, str(error.message))
