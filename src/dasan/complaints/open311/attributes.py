"""Extra questions (GeoReport v2 "attributes") asked for some services.

Categories are city data, but the questions below are code: they are how Dasan
asks for the facts a department needs in order to act, and staff read the
answers in the complaint's text. A city whose categories use other codes adds
an entry here under its own code; a category without an entry simply has no
attributes (``metadata`` is false in ``services``).

The answers are written into the complaint's description, one line per answer
(``폐기물 종류: 재활용품``), because the complaint model has no per-attribute
storage; the labels are written in Korean, the language staff work in.
"""

from __future__ import annotations

import dataclasses
import math
import re

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

__all__ = ["Attribute", "ATTRIBUTES", "for_category", "definition", "parse", "submitted", "label", "AttributeProblem"]

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
MAX_LENGTH = {"string": 200, "text": 2000}


@dataclasses.dataclass(frozen=True)
class Attribute:
    """One question of a service definition."""

    code: str
    datatype: str
    description: str
    required: bool = False
    # False: a notice shown to the person, not a question (no answer is sent).
    variable: bool = True
    datatype_description: str | None = None
    values: tuple[tuple[str, str], ...] = ()

    def __post_init__(self):
        if self.datatype not in DATATYPES:
            raise ValueError(f"unknown GeoReport datatype {self.datatype!r}")
        if self.datatype.endswith("valuelist") and not self.values:
            raise ValueError(f"{self.code}: a list attribute needs values")

    @property
    def is_list(self) -> bool:
        return self.datatype.endswith("valuelist")

    def value_name(self, key: str) -> str:
        return str(dict(self.values)[key])


#: Category code -> its questions, in the order shown to the person.
ATTRIBUTES: dict[str, tuple[Attribute, ...]] = {
    "illegal-dumping": (
        Attribute(
            "waste_type",
            "singlevaluelist",
            _("버려진 쓰레기의 종류"),
            required=True,
            values=(
                ("household", _("생활쓰레기(종량제 봉투 아님)")),
                ("food", _("음식물쓰레기")),
                ("recyclable", _("재활용품")),
                ("bulky", _("대형폐기물(가구·가전)")),
                ("construction", _("공사장 폐기물")),
                ("other", _("기타")),
            ),
        ),
        Attribute(
            "seen_at",
            "datetime",
            _("버리는 것을 본 일시 (보았을 때만)"),
            datatype_description=_("ISO 8601 날짜와 시각, 예: 2026-03-01T21:30:00+09:00"),
        ),
    ),
    "pothole": (
        Attribute(
            "size",
            "singlevaluelist",
            _("파손된 곳의 크기"),
            values=(
                ("small", _("30cm 미만")),
                ("medium", _("30cm~1m")),
                ("large", _("1m 이상")),
            ),
        ),
        Attribute(
            "where",
            "multivaluelist",
            _("파손된 곳의 위치 (여럿 고를 수 있음)"),
            values=(
                ("roadway", _("차도")),
                ("sidewalk", _("보도")),
                ("crosswalk", _("횡단보도")),
                ("bike_lane", _("자전거도로")),
            ),
        ),
        Attribute(
            "depth_cm",
            "number",
            _("대략의 깊이(cm)"),
            datatype_description=_("숫자만, 예: 5"),
        ),
    ),
}


def for_category(category) -> tuple[Attribute, ...]:
    return ATTRIBUTES.get(category.code, ())


def definition(category) -> list[dict]:
    """The ``attributes`` list of GeoReport's service definition."""
    items = []
    for order, attribute in enumerate(for_category(category), start=1):
        item = {
            "variable": attribute.variable,
            "code": attribute.code,
            "datatype": attribute.datatype,
            "required": attribute.required,
            "datatype_description": str(attribute.datatype_description) if attribute.datatype_description else None,
            "order": order,
            "description": str(attribute.description),
        }
        if attribute.is_list:
            item["values"] = [{"key": key, "name": str(name)} for key, name in attribute.values]
        items.append(item)
    return items


class AttributeProblem(Exception):
    """The answers do not fit the definition; ``problems`` are messages for the client."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


_KEY = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")


def submitted(params) -> dict[str, list[str]]:
    """``attribute[code]=v`` and ``attribute[code][]=v`` (repeated for lists) as code -> values."""
    answers: dict[str, list[str]] = {}
    for key in params.keys():
        match = _KEY.match(key)
        if match:
            values = [value.strip() for value in params.getlist(key)]
            answers.setdefault(match.group(1), []).extend(value for value in values if value)
    return answers


def parse(category, params, *, parse_datetime) -> list[tuple[Attribute, str]]:
    """Check the answers in ``params`` against the category's definition and return
    (attribute, text for staff) pairs in definition order. Raises AttributeProblem."""
    defined = {attribute.code: attribute for attribute in for_category(category)}
    answers = submitted(params)
    problems: list[str] = []
    for code in answers:
        if code not in defined:
            problems.append(str(_("'%(code)s'은(는) 이 서비스의 속성이 아닙니다.") % {"code": code}))
    lines: list[tuple[Attribute, str]] = []
    for attribute in defined.values():
        if not attribute.variable:
            continue
        values = answers.get(attribute.code, [])
        if not values:
            if attribute.required:
                problems.append(str(_("필수 속성 attribute[%(code)s]이(가) 없습니다.") % {"code": attribute.code}))
            continue
        try:
            text = _answer_text(attribute, values, parse_datetime)
        except ValueError as error:
            problems.append(str(error))
            continue
        lines.append((attribute, text))
    if problems:
        raise AttributeProblem(problems)
    return lines


def _answer_text(attribute: Attribute, values: list[str], parse_datetime) -> str:
    code = attribute.code
    if attribute.datatype == "multivaluelist":
        keys = [key.strip() for value in values for key in value.split(",") if key.strip()]
    else:
        if len(values) > 1:
            raise ValueError(_("attribute[%(code)s]에는 값을 하나만 보낼 수 있습니다.") % {"code": code})
        keys = values
    if attribute.is_list:
        allowed = dict(attribute.values)
        unknown = [key for key in keys if key not in allowed]
        if unknown:
            raise ValueError(
                _("attribute[%(code)s]의 값 '%(value)s'은(는) 정의에 없습니다. 가능한 값: %(keys)s")
                % {"code": code, "value": unknown[0], "keys": ", ".join(allowed)}
            )
        # Staff read the answer in Korean whatever language the client spoke.
        with translation.override("ko"):
            return ", ".join(attribute.value_name(key) for key in dict.fromkeys(keys))
    value = values[0]
    if attribute.datatype == "number":
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise ValueError(_("attribute[%(code)s]은(는) 숫자여야 합니다.") % {"code": code})
        return value
    if attribute.datatype == "datetime":
        moment = parse_datetime(value)
        if moment is None:
            raise ValueError(
                _("attribute[%(code)s]의 날짜·시각 형식이 올바르지 않습니다. 예: 2026-03-01T21:30:00+09:00")
                % {"code": code}
            )
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
    limit = MAX_LENGTH[attribute.datatype]
    if len(value) > limit:
        raise ValueError(
            _("attribute[%(code)s]은(는) %(limit)d자를 넘을 수 없습니다.") % {"code": code, "limit": limit}
        )
    return value


def label(attribute: Attribute) -> str:
    """The question as staff read it (Korean)."""
    with translation.override("ko"):
        return str(attribute.description)
