"""The demo city's complaints: categories over its departments, a few answer
templates, and sample complaints by the demo residents in every state.

``load_demo()`` is called by ``dasan demo`` after the city, its departments,
staff and residents exist. It is safe to run again: categories and templates are
found by code and title, sample complaints by their ``source_reference``
(``demo:<key>``), and whatever exists is left as it is.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from .models import AnswerTemplate, Category, Complaint, FormKind, Kind, PeriodUnit

logger = logging.getLogger(__name__)

# (code, name, group, kind, form, department code, (period value, unit) or None,
#  allows anonymous, requires location, keywords, description)
CATEGORIES = [
    (
        "illegal-dumping",
        "쓰레기 무단투기",
        "환경",
        Kind.GRIEVANCE,
        FormKind.GENERAL,
        "1200",
        None,
        True,
        True,
        "쓰레기,무단투기,투기,쓰레기봉투,종량제,악취,분리수거,재활용,음식물",
        "길이나 골목, 공터에 몰래 버린 쓰레기를 알려 주세요.",
    ),
    (
        "bulky-waste-missed",
        "대형폐기물 미수거",
        "환경",
        Kind.GRIEVANCE,
        FormKind.GENERAL,
        "1200",
        (3, PeriodUnit.DAYS),
        False,
        True,
        "대형폐기물,폐가구,미수거,수거,스티커,매트리스,소파,장롱,냉장고",
        "배출 신고를 했는데 약속한 날에 가져가지 않은 대형폐기물.",
    ),
    (
        "noise",
        "생활 소음",
        "환경",
        Kind.GRIEVANCE,
        FormKind.GENERAL,
        "1200",
        None,
        False,
        True,
        "소음,공사장,공사 소음,확성기,시끄럽,진동,야간 작업,새벽",
        "공사장, 확성기, 영업장 소음처럼 생활을 방해하는 소리.",
    ),
    (
        "illegal-parking",
        "불법주정차 신고",
        "교통",
        Kind.GRIEVANCE,
        FormKind.ILLEGAL_PARKING,
        "1300",
        (7, PeriodUnit.DAYS),
        False,
        True,
        "불법주차,불법주정차,주정차,주차,견인,소화전,횡단보도,인도 주차,버스정류장 주차",
        "1분 이상 간격으로 찍은 사진 두 장으로 신고합니다.",
    ),
    (
        "road-damage",
        "도로 파손",
        "도로",
        Kind.GRIEVANCE,
        FormKind.GENERAL,
        "1300",
        None,
        False,
        True,
        "도로,포트홀,파손,구멍,보도블록,아스팔트,맨홀,깨진,꺼짐",
        "파인 도로, 깨진 보도블록, 흔들리는 맨홀 뚜껑.",
    ),
    (
        "streetlight",
        "가로등 고장",
        "안전",
        Kind.GRIEVANCE,
        FormKind.GENERAL,
        "1300",
        (3, PeriodUnit.DAYS),
        True,
        True,
        "가로등,보안등,불빛,꺼짐,깜빡,어두워,전등",
        "꺼지거나 깜빡이는 가로등과 보안등.",
    ),
    (
        "bus-stop",
        "버스 정류장 불편",
        "교통",
        Kind.SUGGESTION,
        FormKind.GENERAL,
        "1300",
        None,
        False,
        True,
        "버스,정류장,승강장,배차,노선,버스 도착,안내판,쉘터",
        "정류장 시설, 도착 안내, 노선과 배차에 관한 불편과 건의.",
    ),
    (
        "illegal-banner",
        "불법 현수막",
        "도시미관",
        Kind.GRIEVANCE,
        FormKind.GENERAL,
        "1000",
        None,
        True,
        True,
        "현수막,불법 현수막,전단,벽보,광고물,입간판",
        "허가 없이 내건 현수막과 광고물.",
    ),
    (
        "welfare-consult",
        "복지 상담",
        "복지",
        Kind.INQUIRY_PROCEDURE,
        FormKind.GENERAL,
        "1400",
        None,
        False,
        False,
        "복지,기초생활,수급,지원금,긴급복지,돌봄,장애인,노인,한부모,바우처",
        "받을 수 있는 복지 서비스와 신청 방법을 묻습니다.",
    ),
    (
        "local-tax",
        "지방세 문의",
        "세금",
        Kind.INQUIRY_LAW,
        FormKind.GENERAL,
        "1500",
        None,
        False,
        False,
        "지방세,재산세,자동차세,취득세,주민세,납부,체납,고지서,감면,환급",
        "재산세·자동차세 등 지방세의 부과, 납부, 감면에 관한 질의.",
    ),
    (
        "sports-facility",
        "체육시설 이용",
        "체육",
        Kind.GRIEVANCE,
        FormKind.GENERAL,
        "1600",
        None,
        False,
        False,
        "체육관,수영장,운동장,헬스장,테니스장,체육시설,강습,예약",
        "시립 체육시설의 이용, 강습, 시설 고장.",
    ),
    (
        "website-error",
        "누리집 오류",
        "정보통신",
        Kind.OTHER,
        FormKind.GENERAL,
        "1700",
        (3, PeriodUnit.DAYS),
        False,
        False,
        "누리집,홈페이지,오류,에러,로그인,접속,앱,화면,다산",
        "시 누리집과 다산 서비스가 제대로 동작하지 않을 때.",
    ),
    (
        "certificate-question",
        "민원서류 발급 문의",
        "민원",
        Kind.INQUIRY_PROCEDURE,
        FormKind.GENERAL,
        "1100",
        None,
        False,
        False,
        "등본,초본,가족관계,인감,여권,발급,서류,증명서,무인발급기",
        "주민등록 등·초본, 인감, 여권 같은 서류의 발급 방법.",
    ),
    (
        "suggestion",
        "기타 건의",
        "일반",
        Kind.SUGGESTION,
        FormKind.GENERAL,
        "1100",
        None,
        False,
        False,
        "건의,제안,개선,바랍니다,해 주세요,불편",
        "다른 분류에 맞지 않는 건의와 제안.",
    ),
]

# (title, department code or None for every department, body)
ANSWER_TEMPLATES = [
    (
        "수거 완료 안내",
        "1200",
        "안녕하십니까, 데모시 청소행정과입니다.\n알려 주신 곳의 쓰레기를 수거했습니다. 같은 곳에 다시 버려지지 않도록 "
        "순찰을 늘리고 무단투기 금지 안내문을 붙이겠습니다. 불편을 드려 죄송합니다.",
    ),
    (
        "현장 확인 후 조치 예정",
        None,
        "안녕하십니까, 데모시입니다.\n말씀하신 내용은 담당자가 현장을 확인한 뒤 조치하겠습니다. 조치 결과는 다시 알려 "
        "드리겠습니다. 소중한 의견 고맙습니다.",
    ),
    (
        "소관 기관 이송 안내",
        None,
        "안녕하십니까, 데모시입니다.\n말씀하신 내용은 우리 시가 아니라 다른 기관이 처리할 일이어서 「민원 처리에 관한 "
        "법률」 제16조에 따라 소관 기관으로 이송했습니다. 이후 처리는 그 기관에서 안내해 드립니다.",
    ),
    (
        "불법주정차 과태료 부과 안내",
        "1300",
        "안녕하십니까, 데모시 교통행정과입니다.\n신고해 주신 차량은 사진을 확인한 결과 주정차 위반이 인정되어 "
        "과태료 부과 절차를 진행합니다. 신고에 감사드립니다.",
    ),
]

RESIDENT_PHONES = ("01000000001", "01000000002", "01000000003")
# 데모시 시청로 1 (a made-up place; the coordinates are those of a real city centre).
CENTRE = (Decimal("37.566500"), Decimal("126.978000"))


def _departments() -> dict:
    from dasan.core.models import Department

    return {d.code: d for d in Department.objects.all()}


def load_categories() -> dict[str, Category]:
    """Create the demo categories whose department exists; return all by code."""
    departments = _departments()
    found: dict[str, Category] = {}
    for order, (code, name, group, kind, form, dept, period, anonymous, location, keywords, description) in enumerate(
        CATEGORIES, start=1
    ):
        existing = Category.objects.filter(code=code).first()
        if existing is not None:
            found[code] = existing
            continue
        if dept not in departments:
            logger.info("demo category %s skipped: no department %s", code, dept)
            continue
        found[code] = Category.objects.create(
            code=code,
            name=name,
            group=group,
            kind=kind,
            form=form,
            department=departments[dept],
            period_value=period[0] if period else None,
            period_unit=period[1] if period else "",
            allows_anonymous=anonymous,
            requires_location=location,
            keywords=keywords,
            description=description,
            order=order * 10,
        )
    return found


def load_answer_templates() -> None:
    departments = _departments()
    for title, dept, body in ANSWER_TEMPLATES:
        if AnswerTemplate.objects.filter(title=title).exists():
            continue
        if dept is not None and dept not in departments:
            continue
        AnswerTemplate.objects.create(title=title, department=departments.get(dept) if dept else None, body=body)


def _offset(metres_north: float, metres_east: float) -> tuple[Decimal, Decimal]:
    lat = CENTRE[0] + Decimal(str(round(metres_north / 111_320, 6)))
    lng = CENTRE[1] + Decimal(str(round(metres_east / 88_200, 6)))  # 1° of longitude ≈ 88 km at 37.5° N
    return lat.quantize(Decimal("0.000001")), lng.quantize(Decimal("0.000001"))


def _photo(taken_at: dt.datetime, colour: tuple[int, int, int]) -> io.BytesIO:
    """A stand-in for a phone photo of a parked car, with EXIF time and position."""
    from PIL import Image, ImageDraw
    from PIL.TiffImagePlugin import IFDRational

    image = Image.new("RGB", (960, 720), (188, 196, 204))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 520, 960, 720), fill=(90, 90, 96))  # the road
    draw.rectangle((240, 330, 720, 560), fill=colour)  # the car
    draw.rectangle((400, 500, 560, 540), fill=(250, 250, 250))  # its plate
    exif = Image.Exif()
    exif[0x010F] = "Demo"
    exif.get_ifd(0x8769)[0x9003] = timezone.localtime(taken_at).strftime("%Y:%m:%d %H:%M:%S")
    gps = exif.get_ifd(0x8825)
    lat, lng = float(CENTRE[0]), float(CENTRE[1])

    def dms(value: float):
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        seconds = round(((value - degrees) * 60 - minutes) * 60 * 100)
        return (IFDRational(degrees), IFDRational(minutes), IFDRational(seconds, 100))

    gps[1], gps[2], gps[3], gps[4] = "N", dms(lat), "E", dms(lng)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=80)
    out.seek(0)
    return out


def _sample(key: str) -> bool:
    return Complaint.objects.filter(source_reference=f"demo:{key}").exists()


def load_sample_complaints(categories: dict[str, Category]) -> int:
    """File the sample complaints through the services; returns how many were added."""
    from dasan.accounts.models import User

    from . import intake, parking, services

    residents = {u.phone: u for u in User.objects.filter(phone__in=RESIDENT_PHONES)}
    staff = {u.username: u for u in User.objects.filter(username__in=["admin", "cleaning", "traffic-lead"])}
    if len(residents) < len(RESIDENT_PHONES) or len(staff) < 3:
        logger.info("demo complaints skipped: the demo residents and staff are not all there")
        return 0
    hong, jane, an = (residents[p] for p in RESIDENT_PHONES)
    admin, cleaning, traffic = staff["admin"], staff["cleaning"], staff["traffic-lead"]
    now = timezone.now()
    added = 0

    def file(
        key: str,
        category: str | None,
        resident,
        title: str,
        description: str,
        *,
        days_ago: float,
        where=None,
        language: str = "ko",
        **extra,
    ):
        nonlocal added
        if _sample(key) or (category is not None and category not in categories):
            return None
        lat, lng = where if where else (None, None)
        complaint = intake.file_complaint(
            title=title,
            description=description,
            channel=extra.pop("channel", "web"),
            category=categories[category] if category else None,
            resident=resident,
            latitude=lat,
            longitude=lng,
            language=language,
            source_reference=f"demo:{key}",
            received_at=now - dt.timedelta(days=days_ago),
            **extra,
        )
        added += 1
        return complaint

    dumping = file(
        "dumping",
        "illegal-dumping",
        hong,
        "시장 뒷골목 쓰레기 무단투기",
        "전통시장 뒷골목 전봇대 아래에 종량제 봉투가 아닌 쓰레기가 일주일째 쌓여 악취가 납니다.",
        days_ago=3,
        where=_offset(120, -40),
        address="데모시 시장길 8 뒷골목",
    )
    if dumping:
        services.assign(dumping, department=dumping.department, actor=cleaning, assignee=cleaning)
        services.start(dumping, actor=cleaning)

    # Reported again nearby by another resident: linked to the first.
    file(
        "dumping-again",
        "illegal-dumping",
        jane,
        "Rubbish dumped behind the market",
        "Bags of rubbish have been left by the utility pole behind the market for days. It smells.",
        days_ago=2,
        where=_offset(132, -35),
        language="en",
    )

    bulky = file(
        "bulky",
        "bulky-waste-missed",
        hong,
        "신고한 소파를 가져가지 않았어요",
        "지난 화요일 수거로 배출 신고를 하고 스티커를 붙여 내놓은 소파가 아직 그대로 있습니다.",
        days_ago=1,
        where=_offset(-300, 220),
        address="데모시 은행나무로 21",
    )
    if bulky:
        services.start(bulky, actor=cleaning)

    bus = file(
        "bus-stop",
        "bus-stop",
        jane,
        "Bus stop shelter is broken",
        "The glass panel of the shelter at the Central Park stop is cracked and the arrival display is off.",
        days_ago=2,
        where=_offset(-80, 400),
        language="en",
    )
    if bus:
        services.assign(bus, department=bus.department, actor=traffic)

    welfare = file(
        "welfare",
        "welfare-consult",
        an,
        "Hỏi về hỗ trợ phúc lợi cho gia đình đa văn hóa",
        "Tôi muốn biết gia đình đa văn hóa có thể nhận những hỗ trợ nào và nộp hồ sơ ở đâu.",
        days_ago=0.2,
        language="vi",
        contact_preference="sms",
    )
    del welfare  # waits for the welfare department

    light = file(
        "streetlight",
        "streetlight",
        hong,
        "공원 산책로 가로등이 꺼져 있습니다",
        "중앙공원 동쪽 산책로 가로등 세 개가 밤새 꺼져 있어 어둡고 위험합니다.",
        days_ago=10,
        where=_offset(-500, -150),
        address="데모시 중앙공원 동쪽 산책로",
    )
    if light:
        services.start(light, actor=traffic)
        services.answer(
            light,
            actor=traffic,
            text="안녕하십니까, 데모시 교통행정과입니다. 안정기 고장을 확인해 오늘 교체했습니다. 고맙습니다.",
        )
        services.rate(light, actor=hong, score=5, comment="바로 고쳐 주셔서 고맙습니다.")
        services.close(light, actor=traffic)

    road = file(
        "road",
        "road-damage",
        jane,
        "Pothole on Riverside Road",
        "A deep pothole opened in the right lane of Riverside Road near the bridge. Cars swerve around it.",
        days_ago=1,
        where=_offset(650, 300),
        language="en",
    )
    if road:
        services.start(road, actor=traffic)
        services.extend(
            road, actor=traffic, days=5, reason="아스팔트 보수 업체의 작업 일정을 잡는 중이라 며칠 더 필요합니다."
        )

    noise = file(
        "noise",
        "noise",
        hong,
        "고속도로 방음벽이 없어 소음이 심합니다",
        "아파트 옆 고속도로 구간에 방음벽이 없어 밤낮으로 차량 소음이 심합니다. 방음벽을 설치해 주세요.",
        days_ago=4,
        where=_offset(900, 900),
    )
    if noise:
        services.transfer(
            noise,
            actor=cleaning,
            agency="한국도로공사",
            reason="고속도로 방음시설은 한국도로공사가 설치하고 관리합니다.",
        )

    web = file(
        "website",
        "website-error",
        an,
        "Không đăng nhập được trên điện thoại",
        "Khi đăng nhập bằng số điện thoại, mã xác thực không đến. Tôi đã thử ba lần.",
        days_ago=1,
        language="vi",
    )
    if web:
        services.answer(
            web,
            actor=admin,
            text="문자 발송 업체 장애가 있었고 지금은 복구되었습니다. 다시 시도해 주세요. "
            "Sự cố gửi tin nhắn đã được khắc phục, xin vui lòng thử lại.",
        )

    tax = file(
        "tax",
        "local-tax",
        hong,
        "자동차세 연납 할인 문의",
        "자동차세를 1월에 한 번에 내면 할인된다고 들었습니다. 신청 방법과 할인율이 궁금합니다.",
        days_ago=6,
    )
    if tax:
        services.answer(
            tax,
            actor=admin,
            text="1월에 연세액을 한꺼번에 신고·납부하시면 공제를 받습니다. 위택스나 "
            "세무과 방문으로 신청할 수 있습니다.",
        )
        services.rate(tax, actor=hong, score=4)

    # No category: the classifier decides, or it waits for a manager in the triage queue.
    file(
        "unsorted",
        None,
        jane,
        "Benches for the civil service office",
        "There are not enough chairs in the waiting area of the civil service office at city hall.",
        days_ago=0.5,
        language="en",
    )

    if not _sample("parking") and "illegal-parking" in categories:
        first_at = (now - dt.timedelta(minutes=40)).replace(microsecond=0)
        complaint = parking.file_parking_report(
            resident=hong,
            plate="12가3456",
            place="데모시 시청로 1 앞 소화전",
            latitude=None,
            longitude=None,
            photos=[_photo(first_at, (170, 30, 30)), _photo(first_at + dt.timedelta(minutes=2), (170, 30, 30))],
            signer_name=hong.name or "홍길동",
            consent=True,
            description="소화전 바로 앞에 세워 두었습니다.",
        )
        Complaint.objects.filter(pk=complaint.pk).update(source_reference="demo:parking")
        added += 1
    return added


def load_demo() -> dict:
    """Load the demo categories, answer templates and sample complaints (idempotent)."""
    with transaction.atomic():
        categories = load_categories()
        load_answer_templates()
    added = load_sample_complaints(categories)
    return {"categories": len(categories), "complaints_added": added}
