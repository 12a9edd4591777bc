"""Automatic routing (민원 자동 분류): keyword cold start, training on the city's past
complaints, staff corrections feeding the next model, the command and the nightly job."""

from __future__ import annotations

import itertools
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from dasan.complaints import routing
from dasan.complaints.models import Complaint, ComplaintEvent, EventKind, Kind, RoutingModel, Status

_numbers = itertools.count(1)

# Past complaints of the test city, a few per category (written for these tests).
PAST = {
    "waste": [
        "골목에 쓰레기 봉투가 쌓여 있어요|며칠째 아무도 치우지 않아 악취가 납니다.",
        "음식물 쓰레기 무단투기|밤마다 누군가 음식물 쓰레기를 전봇대 옆에 버립니다.",
        "분리수거 안 된 재활용품|재활용품이 섞여서 버려져 수거가 안 되고 있습니다.",
        "공원 입구 쓰레기 더미|공원 입구에 생활 쓰레기가 버려져 냄새가 심합니다.",
        "상가 뒤편 무단 투기|상가 뒤에 폐기물이 계속 쌓이고 있습니다.",
        "쓰레기 수거 요청|아파트 옆 공터에 쓰레기가 버려져 있습니다.",
    ],
    "pothole": [
        "도로에 구멍이 났어요|교차로 앞 도로가 움푹 패여 차가 덜컹거립니다.",
        "보도블록이 깨졌습니다|인도의 보도블록이 들떠서 걸려 넘어질 뻔했습니다.",
        "포트홀 신고|비가 온 뒤 도로에 포트홀이 생겨 위험합니다.",
        "차도 파손|버스 정류장 앞 차도가 갈라지고 파손되었습니다.",
        "인도 파손 보수 요청|인도 포장이 부서져 유모차가 지나가기 어렵습니다.",
        "도로 꺼짐|아스팔트가 내려앉아 구멍이 커지고 있습니다.",
    ],
    "parking": [
        "불법주차 차량 신고|소방차 전용구역에 차가 계속 주차되어 있습니다.",
        "주정차 단속 요청|학교 앞에 주정차 차량이 많아 아이들이 위험합니다.",
        "인도 위 주차|차가 인도에 올라와 주차되어 지나갈 수 없습니다.",
        "장기 방치 차량|번호판 없는 차가 몇 달째 주차되어 있어 견인을 요청합니다.",
        "골목 불법 주차|골목 양쪽에 주차된 차 때문에 구급차가 못 들어옵니다.",
        "버스정류장 주정차|정류장에 승용차가 주차해 버스가 도로 한가운데 섭니다.",
    ],
    "question": [
        "서류 발급 문의|주민등록 등본을 온라인으로 발급받는 방법이 궁금합니다.",
        "신청 절차 문의|청년 월세 지원 신청 절차를 알려 주세요.",
        "필요한 서류가 무엇인가요|전입신고할 때 어떤 서류를 가져가야 하나요?",
        "처리 기간 문의|여권 재발급은 며칠 걸리는지 알고 싶습니다.",
        "방법 안내 요청|민원 서류를 대리로 떼려면 위임장이 필요한가요?",
        "제도 문의|출산 지원금 제도 대상과 신청 방법이 궁금합니다.",
    ],
}

# A topic the keywords do not know: broken streetlights.
STREETLIGHTS = [
    "가로등이 꺼져 있어요|밤에 골목 가로등이 꺼져 너무 어둡습니다.",
    "가로등 고장|가로등이 깜빡거리다 아예 들어오지 않습니다.",
    "어두운 가로등 수리|공원 산책로 가로등이 며칠째 고장입니다.",
    "가로등 점검 요청|학교 가는 길 가로등 불이 나갔습니다.",
    "가로등 불빛|아파트 앞 가로등이 꺼져서 밤길이 무섭습니다.",
]


def _past(category, line: str, *, status=Status.CLOSED, department="same", days_ago: int = 30) -> Complaint:
    """A past complaint as it sits in the database (fixture data, not a filing)."""
    title, description = line.split("|")
    received = timezone.now() - timedelta(days=days_ago)
    return Complaint.objects.create(
        number=f"2025-{next(_numbers):06d}",
        kind=Kind.GRIEVANCE,
        title=title,
        description=description,
        category=category,
        department=category.department if department == "same" else department,
        status=status,
        received_at=received,
        due_at=received + timedelta(days=7),
    )


@pytest.fixture
def history(categories):
    """Six answered complaints per category: 24 labelled samples."""
    for key, lines in PAST.items():
        for line in lines:
            _past(categories[key], line)
    return categories


@pytest.fixture(autouse=True)
def _fresh_model_cache():
    # Each test database starts its RoutingModel ids again; the per-process cache must not
    # mistake a previous test's model for this one's.
    routing._model_cache.update(id=None, classifier=None)
    routing._keyword_cache.update(key=None, scorer=None)
    yield


# --- cold start: keywords --------------------------------------------------------------------------


def test_keywords_route_dumping_to_the_waste_department_before_any_training(categories):
    s = routing.suggest("아파트 앞에 쓰레기 무단투기가 심해요")
    assert s.source == "keywords"
    assert s.category.code == "illegal-dumping"
    assert s.department.name == "청소행정과"


def test_unrelated_text_gets_no_confident_suggestion_from_keywords(categories):
    s = routing.suggest("내일 날씨가 맑을지 궁금하네요")
    assert s.category is None
    assert s.confidence < 0.6
    assert s.source == "none"


def test_one_keyword_alone_stays_below_the_auto_assign_threshold(categories):
    one = routing.suggest("견인해 주세요")
    assert one.category.code == "illegal-parking"
    assert one.confidence < 0.6
    two = routing.suggest("불법주차 차량 견인 요청")
    assert two.category.code == "illegal-parking"
    assert two.confidence >= 0.6


def test_an_inactive_category_is_never_suggested(categories):
    categories["waste"].is_active = False
    categories["waste"].save()
    s = routing.suggest("아파트 앞에 쓰레기 무단투기가 심해요")
    assert s.category is None or s.category.code != "illegal-dumping"


# --- training ---------------------------------------------------------------------------------------


def test_too_few_labelled_complaints_means_no_model(categories):
    for line in PAST["waste"][:3]:
        _past(categories["waste"], line)
    assert routing.train(min_samples=20) is None
    assert not RoutingModel.objects.exists()
    assert routing.suggest("쓰레기 무단투기 신고").source == "keywords"


def test_trained_model_routes_new_complaints_and_records_its_figures(history):
    model = routing.train()
    assert model is not None
    assert model.samples == 24
    assert model.labels == 4
    assert 0.0 <= model.metrics["accuracy"] <= 1.0 and "macro_f1" in model.metrics

    s = routing.suggest("전봇대 밑에 음식물 쓰레기를 버리고 가요\n냄새 때문에 창문을 못 엽니다")
    assert (s.source, s.category.code, s.department.name) == ("model", "illegal-dumping", "청소행정과")
    s = routing.suggest("인도 보도블록이 깨져서 위험해요")
    assert (s.category.code, s.department.name) == ("pothole", "도로과")
    s = routing.suggest("소방차 전용구역 주차 차량 단속해 주세요")
    assert s.category.code == "illegal-parking"
    assert [c.code for c, _ in s.alternatives] and all(p <= s.confidence for _, p in s.alternatives)


def test_model_is_not_confident_about_text_unlike_anything_routed_before(history):
    routing.train()
    s = routing.suggest("오늘 점심 메뉴로 김치찌개 어떨까요")
    assert s.confidence < 0.6


def test_only_complaints_staff_confirmed_are_learned(history, make_staff, departments):
    received = _past(history["waste"], "가로등 불이 나갔어요|골목이 어둡습니다.", status=Status.RECEIVED)
    transferred = _past(history["pothole"], "국도 포장 보수|국도 관리청에 보낼 일입니다.", status=Status.TRANSFERRED)
    # From the triage queue (no category) to 도로과 by a staff member: learned as 도로 파손.
    triaged = _past(
        history["waste"], "인도 가운데가 푹 꺼졌어요|지나가다 발을 다칠 뻔했습니다.", status=Status.ASSIGNED
    )
    triaged.category, triaged.department = None, departments["roads"]
    triaged.save()
    officer = make_staff("road-officer", department=departments["roads"])
    ComplaintEvent.objects.create(
        complaint=triaged, kind=EventKind.ASSIGNED, actor=officer, to_department=departments["roads"]
    )
    data = routing.training_set()
    labels = dict(zip(data.ids, data.labels))
    assert received.pk not in labels and transferred.pk not in labels
    assert labels[triaged.pk] == "pothole"
    assert len(labels) == 25


def test_staff_reassignment_changes_what_the_next_model_learns(history, make_staff, departments):
    # Streetlight complaints were first answered as questions by the city hall desk...
    lights = [_past(history["question"], line) for line in STREETLIGHTS]
    first = routing.train()
    before = routing.suggest("가로등이 꺼져서 길이 어두워요")
    assert before.category.code == "policy-question"

    # ...then staff moved them to 도로과, which maintains the lights.
    officer = make_staff("desk-officer", department=departments["root"])
    for c in lights:
        ComplaintEvent.objects.create(
            complaint=c,
            kind=EventKind.REASSIGNED,
            actor=officer,
            from_department=departments["root"],
            to_department=departments["roads"],
        )
        c.department = departments["roads"]
        c.save()
    second = routing.train()
    assert second.pk != first.pk
    after = routing.suggest("가로등이 꺼져서 길이 어두워요")
    assert after.source == "model"
    assert (after.category.code, after.department.name) == ("pothole", "도로과")


def test_retraining_without_changes_keeps_the_current_model(history):
    first = routing.train()
    again = routing.train()
    assert again.pk == first.pk
    assert RoutingModel.objects.count() == 1


def test_a_model_that_cannot_be_read_falls_back_to_keywords(history):
    model = routing.train()
    RoutingModel.objects.filter(pk=model.pk).update(blob=b"not a model")
    routing._model_cache.update(id=None, classifier=None)
    s = routing.suggest("아파트 앞에 쓰레기 무단투기가 심해요")
    assert (s.source, s.category.code) == ("keywords", "illegal-dumping")


def test_stored_model_scores_the_same_after_loading(history):
    model = routing.train()
    loaded = routing.Classifier.from_bytes(bytes(model.blob))
    tokens = routing.tokenize("도로에 구멍이 났어요")
    fresh = routing.Classifier.from_bytes(loaded.to_bytes())
    assert [label for label, _ in loaded.rank(tokens)] == [label for label, _ in fresh.rank(tokens)]
    assert abs(sum(p for _, p in loaded.rank(tokens)) - 1.0) < 1e-5


# --- command and schedule -----------------------------------------------------------------------------


def test_command_trains_and_prints_a_report(history):
    out = StringIO()
    call_command("complaints", "train", stdout=out)
    text = out.getvalue()
    assert "새 모델" in text and "학습 민원 24건" in text and "교차검증" in text
    assert RoutingModel.objects.count() == 1

    out = StringIO()
    call_command("complaints", "suggest", "도로에 포트홀이 생겼어요", stdout=out)
    assert "도로 파손" in out.getvalue() and "도로과" in out.getvalue()


def test_command_says_why_it_did_not_train(categories):
    out = StringIO()
    call_command("complaints", "train", stdout=out)
    assert "학습하지 않았습니다" in out.getvalue() and "분류 키워드" in out.getvalue()


def test_the_worker_schedules_the_retrain_hourly():
    from dasan.core import schedule

    job = next(j for j in schedule.jobs() if j.name == "complaints.routing.retrain")
    assert job.every_seconds == 3600 and job.func is routing.retrain_if_due


def test_scheduled_job_trains_the_first_model_then_waits_for_the_night(history):
    first = routing.retrain_if_due()
    assert first is not None
    _past(history["waste"], "쓰레기 수거 요청|길가에 쓰레기가 많습니다.")
    noon = timezone.localtime().replace(hour=12) + timedelta(days=2)
    assert routing.retrain_if_due(now=noon) is None
    night = noon.replace(hour=3)
    second = routing.retrain_if_due(now=night)
    assert second is not None and second.pk != first.pk
