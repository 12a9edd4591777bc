"""The resident's complaint pages: filing (general and illegal parking), 내 민원, one
complaint with its timeline, rating, withdrawal, photos and the receipt, through the
pages with the real services underneath."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from dasan.complaints import intake, parking, services
from dasan.complaints.models import Channel, Complaint, ComplaintPhoto, ParkingReport, Status

from ..web.html_checks import accessibility_problems

NEW = "/complaints/new/"
PARKING = "/complaints/new/parking/"
MINE = "/complaints/"

EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 0x9003
OFFSET_TIME_ORIGINAL = 0x9011
GPS_IFD = 0x8825


# --- photos a phone would send ------------------------------------------------------------


def jpeg_bytes(
    color=(200, 40, 40), *, taken_at: dt.datetime | None = None, gps: tuple[float, float] | None = None, size=(64, 48)
) -> bytes:
    """A JPEG; ``taken_at`` (Korean local time) goes into EXIF DateTimeOriginal, ``gps`` into the GPS IFD."""
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    if taken_at is not None:
        sub = exif.get_ifd(EXIF_IFD)
        sub[DATETIME_ORIGINAL] = taken_at.strftime("%Y:%m:%d %H:%M:%S")
        sub[OFFSET_TIME_ORIGINAL] = "+09:00"
    if gps is not None:

        def dms(value: float):
            value = abs(value)
            degrees = int(value)
            minutes = int((value - degrees) * 60)
            seconds = round(((value - degrees) * 60 - minutes) * 60, 2)
            return (float(degrees), float(minutes), float(seconds))

        gps_ifd = exif.get_ifd(GPS_IFD)
        gps_ifd[1], gps_ifd[2] = ("N" if gps[0] >= 0 else "S"), dms(gps[0])
        gps_ifd[3], gps_ifd[4] = ("E" if gps[1] >= 0 else "W"), dms(gps[1])
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes() if (taken_at or gps) else b"")
    return out.getvalue()


def jpeg_upload(name="photo.jpg", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(**kwargs), content_type="image/jpeg")


def seoul(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args), timezone.get_fixed_timezone(9 * 60))


def local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def resident_client(client, resident):
    client.force_login(resident)
    return client


def _file(category, resident, *, title="골목 쓰레기 무단투기", **extra):
    extra.setdefault("description", "매일 밤 같은 자리에 쓰레기가 쌓입니다.")
    extra.setdefault("address", "다산로 12")
    return intake.file_complaint(title=title, channel="web", category=category, resident=resident, **extra)


def _answer(complaint, staff, text="수거했습니다."):
    complaint = services.start(complaint, actor=staff) if complaint.status != Status.IN_PROGRESS else complaint
    return services.answer(complaint, actor=staff, text=text)


# --- filing a general complaint -----------------------------------------------------------


def test_resident_files_a_complaint_with_a_photo_and_finds_it_in_my_complaints(resident_client, resident, categories):
    form = resident_client.get(NEW)
    assert form.status_code == 200
    html = form.content.decode()
    assert 'capture="environment"' in html and 'enctype="multipart/form-data"' in html
    assert accessibility_problems(html) == []

    response = resident_client.post(
        NEW,
        {
            "category": "illegal-dumping",
            "title": "골목에 쓰레기가 쌓여 있어요",
            "description": "다산로 12 골목 입구에 일주일째 쓰레기가 쌓여 있습니다.",
            "address": "다산로 12",
            "latitude": "37.566500",
            "longitude": "126.978000",
            "contact_preference": "sms",
            "photos": [jpeg_upload(gps=(37.5665, 126.978), taken_at=seoul(2026, 3, 2, 9, 0))],
        },
    )

    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/complaints/{complaint.number}/?filed=1"
    assert re.fullmatch(r"\d{4}-\d{6}", complaint.number)
    assert complaint.resident == resident and complaint.channel == Channel.WEB
    assert complaint.category.code == "illegal-dumping" and complaint.photos.count() == 1

    confirmation = resident_client.get(response["Location"]).content.decode()
    assert f"접수번호 {complaint.number}로 접수되었습니다." in confirmation
    assert local(complaint.due_at) in confirmation

    mine = resident_client.get(MINE).content.decode()
    assert complaint.number in mine and "골목에 쓰레기가 쌓여 있어요" in mine
    assert local(complaint.due_at) in mine
    assert accessibility_problems(mine) == []

    # The photo is served to its owner, privately, with the camera's metadata gone.
    photo = complaint.photos.get()
    served = resident_client.get(f"/complaints/photos/{photo.pk}/")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg" and served["Cache-Control"].startswith("private")
    body = b"".join(served.streaming_content)
    assert Image.open(io.BytesIO(body)).getexif().get_ifd(GPS_IFD) == {}
    assert f"/complaints/photos/{photo.pk}/" in confirmation


def test_filing_needs_sign_in_and_comes_back_to_the_form(client, categories):
    response = client.get(NEW + "?category=pothole")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert "category%3Dpothole" in response["Location"]
    assert client.get(MINE).status_code == 302


def test_category_in_the_link_is_preselected_and_parking_goes_to_its_own_form(resident_client, categories):
    html = resident_client.get(NEW + "?category=pothole").content.decode()
    assert re.search(r'<option value="pothole"[^>]*selected', html)
    # Pothole does not allow anonymous filing: the choice starts hidden.
    assert re.search(r'<div id="cx-anonymous" hidden', html)

    parking = resident_client.get(NEW + "?category=illegal-parking")
    assert parking.status_code == 302 and parking["Location"] == PARKING


def test_mistakes_are_shown_next_to_their_fields(resident_client, categories):
    response = resident_client.post(
        NEW,
        {
            "category": "pothole",
            "title": "",
            "description": "인도 블록이 깨졌어요",
            "contact_preference": "sms",
            "anonymous": "on",
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert Complaint.objects.count() == 0
    # Title missing, a location needed by the category, anonymous not allowed in it.
    assert re.search(r'id="id_title-error"><p class="error">필수 항목입니다.', html)
    assert 'aria-describedby="id_title-error"' in html and 'aria-invalid="true"' in html
    assert "이 분류는 위치가 필요합니다" in html
    assert "선택한 분류는 익명으로 신청할 수 없습니다." in html
    assert 'role="alert"' in html  # the summary at the top is announced
    assert "인도 블록이 깨졌어요" in html  # what was typed is kept
    assert accessibility_problems(html) == []


def test_anonymous_filing_where_the_category_allows_it(resident_client, resident, categories):
    response = resident_client.post(
        NEW,
        {
            "category": "illegal-dumping",
            "title": "무단투기",
            "description": "밤마다 버려요",
            "address": "다산로 3",
            "contact_preference": "none",
            "anonymous": "on",
        },
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.is_anonymous
    # Still theirs to follow.
    assert complaint.number in resident_client.get(MINE).content.decode()


def test_a_duplicate_is_explained_on_the_confirmation_page(resident_client, make_resident, categories):
    neighbour = make_resident(name="이웃")
    _file(categories["pothole"], neighbour, title="도로 구멍", latitude="37.566500", longitude="126.978000")

    response = resident_client.post(
        NEW,
        {
            "category": "pothole",
            "title": "여기 도로가 파였어요",
            "description": "차가 덜컹거려요",
            "latitude": "37.566510",
            "longitude": "126.978010",
            "contact_preference": "sms",
        },
    )

    mine = Complaint.objects.get(title="여기 도로가 파였어요")
    assert mine.duplicate_of is not None
    html = resident_client.get(response["Location"]).content.decode()
    assert "이미 접수되어 처리 중인 민원이 있어 함께 처리합니다" in html
    # The other resident's complaint is not shown or linked.
    assert mine.duplicate_of.number not in html and "도로 구멍" not in html


def test_the_assistant_hand_off_prefills_the_form_and_is_recorded(resident_client, resident, make_resident, categories):
    from dasan.assistant.models import Conversation, Turn

    conversation = Conversation.objects.create(user=resident, channel="web")
    Turn.objects.create(
        conversation=conversation, question="집 앞 도로에 큰 구멍이 생겼어요", answer="", kind="unknown"
    )
    stranger = Conversation.objects.create(user=make_resident(name="남"), channel="web")
    Turn.objects.create(conversation=stranger, question="남의 비밀 질문", answer="", kind="unknown")

    html = resident_client.get(NEW + f"?from={conversation.pk}").content.decode()
    assert "집 앞 도로에 큰 구멍이 생겼어요" in html
    assert f'name="source" value="{conversation.pk}"' in html

    # Someone else's conversation fills nothing.
    other = resident_client.get(NEW + f"?from={stranger.pk}").content.decode()
    assert "남의 비밀 질문" not in other and f'value="{stranger.pk}"' not in other

    resident_client.post(
        NEW,
        {
            "category": "pothole",
            "title": "집 앞 도로 구멍",
            "description": "집 앞 도로에 큰 구멍이 생겼어요",
            "address": "다산로 5",
            "contact_preference": "sms",
            "source": str(conversation.pk),
        },
    )
    complaint = Complaint.objects.get()
    assert complaint.source_reference == str(conversation.pk)
    assert complaint.channel == Channel.ASSISTANT


def test_the_hand_off_preselects_the_category_the_router_is_sure_of(resident_client, resident, categories):
    from dasan.assistant.models import Conversation, Turn

    conversation = Conversation.objects.create(user=resident, channel="web")
    Turn.objects.create(
        conversation=conversation, question="골목에 쓰레기 무단투기가 심하고 악취가 나요", answer="", kind="unknown"
    )
    html = resident_client.get(NEW + f"?from={conversation.pk}").content.decode()
    # Two keywords of 쓰레기 무단투기 and nothing else: the form opens on that category.
    assert re.search(r'<option value="illegal-dumping"[^>]*\bselected\b', html), "category not preselected"


def test_a_hand_off_reference_that_was_not_offered_is_ignored(resident_client, categories):
    resident_client.post(
        NEW,
        {
            "category": "pothole",
            "title": "도로 구멍",
            "description": "도로에 구멍이 났어요",
            "address": "다산로 5",
            "contact_preference": "sms",
            "source": "12345",
        },
    )
    complaint = Complaint.objects.get()
    assert complaint.source_reference == "" and complaint.channel == Channel.WEB


# --- privacy -------------------------------------------------------------------------------


def test_another_residents_complaint_is_not_found(client, resident, make_resident, categories):
    owner = make_resident(name="주인")
    theirs = _file(categories["waste"], owner, photos=[io.BytesIO(jpeg_bytes())])
    photo = theirs.photos.get()
    client.force_login(resident)

    assert client.get(f"/complaints/{theirs.number}/").status_code == 404
    assert client.get(f"/complaints/{theirs.number}/receipt.pdf").status_code == 404
    assert client.get(f"/complaints/photos/{photo.pk}/").status_code == 404
    assert client.post(f"/complaints/{theirs.number}/withdraw/").status_code == 404
    assert client.post(f"/complaints/{theirs.number}/rate/", {"score": "1"}).status_code == 404
    assert theirs.number not in client.get(MINE).content.decode()
    theirs.refresh_from_db()
    assert theirs.status == Status.RECEIVED


def test_staff_opening_a_residents_page_go_to_their_workbench(client, resident, make_staff, departments, categories):
    complaint = _file(categories["waste"], resident)
    client.force_login(make_staff("waste-officer", department=departments["waste"]))
    response = client.get(f"/complaints/{complaint.number}/")
    assert response.status_code == 302 and response["Location"] == f"/staff/complaints/{complaint.number}/"


# --- after filing ----------------------------------------------------------------------------


def test_timeline_shows_the_steps_a_resident_may_see(resident_client, resident, make_staff, departments, categories):
    complaint = _file(categories["waste"], resident)
    officer = make_staff("waste-officer", department=departments["waste"])
    services.add_note(complaint, actor=officer, text="내부 메모: 민원인 성향 주의")
    _answer(complaint, officer, "오늘 오전에 수거했습니다.")

    html = resident_client.get(f"/complaints/{complaint.number}/").content.decode()
    assert "처리 과정" in html and "답변 완료" in html
    assert "오늘 오전에 수거했습니다." in html
    assert "내부 메모" not in html
    assert accessibility_problems(html) == []


def test_rating_comes_only_after_the_answer(resident_client, resident, make_staff, departments, categories):
    complaint = _file(categories["waste"], resident)
    url = f"/complaints/{complaint.number}/"
    assert "만족도 평가" not in resident_client.get(url).content.decode()

    early = resident_client.post(url + "rate/", {"score": "5"})
    assert early.status_code == 400
    complaint.refresh_from_db()
    assert complaint.satisfaction is None

    _answer(complaint, make_staff("waste-officer", department=departments["waste"]))
    page = resident_client.get(url).content.decode()
    assert 'name="score"' in page and "<legend>처리 결과에 얼마나 만족하시나요?</legend>" in page

    response = resident_client.post(url + "rate/", {"score": "4", "comment": "빨랐어요"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.satisfaction, complaint.satisfaction_comment) == (4, "빨랐어요")
    after = resident_client.get(url).content.decode()
    assert "5점 만점에 4점을 주셨습니다." in after and 'name="score"' not in after


def test_rating_out_of_range_is_refused_next_to_the_field(
    resident_client, resident, make_staff, departments, categories
):
    complaint = _file(categories["waste"], resident)
    _answer(complaint, make_staff("waste-officer", department=departments["waste"]))
    response = resident_client.post(f"/complaints/{complaint.number}/rate/", {"score": "9"})
    assert response.status_code == 400
    assert 'id="id_score-error"' in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.satisfaction is None


def test_withdraw_while_open_and_not_after(resident_client, resident, categories):
    complaint = _file(categories["waste"], resident)
    url = f"/complaints/{complaint.number}/"
    assert "이 민원 취하하기" in resident_client.get(url).content.decode()

    response = resident_client.post(url + "withdraw/", follow=True)
    complaint.refresh_from_db()
    assert complaint.status == Status.WITHDRAWN
    html = response.content.decode()
    assert "민원을 취하했습니다." in html and "이 민원 취하하기" not in html

    again = resident_client.post(url + "withdraw/", follow=True)
    assert again.status_code == 200
    assert 'class="message message--error"' in again.content.decode()


def test_general_receipt_is_a_pdf(resident_client, resident, categories):
    complaint = _file(categories["waste"], resident)
    response = resident_client.get(f"/complaints/{complaint.number}/receipt.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


# --- illegal parking -------------------------------------------------------------------------


def _parking_post(first_at, second_at, **extra):
    data = {
        "plate": "12가 3456",
        "place": "다산로 20 소화전 앞",
        "latitude": "37.570000",
        "longitude": "126.980000",
        "photo_first": jpeg_upload("a.jpg", taken_at=first_at, color=(10, 10, 200)),
        "photo_second": jpeg_upload("b.jpg", taken_at=second_at, color=(10, 200, 10)),
        "signer_name": "김주민",
        "consent": "on",
    }
    data.update(extra)
    return data


def test_parking_form_shows_the_statement_to_sign(resident_client, categories):
    response = resident_client.get(PARKING)
    html = response.content.decode()
    assert response.status_code == 200
    assert parking.consent_text("ko").strip()[:20] in html
    assert html.count('capture="environment"') == 2
    assert 'value="김주민"' in html  # the signer's name starts as the account's
    assert accessibility_problems(html) == []


def test_parking_photos_less_than_a_minute_apart_are_refused(resident_client, categories):
    first = timezone.localtime() - dt.timedelta(minutes=10)
    response = resident_client.post(PARKING, _parking_post(first, first + dt.timedelta(seconds=30)))

    assert response.status_code == 400
    assert Complaint.objects.count() == 0 and ParkingReport.objects.count() == 0
    html = response.content.decode()
    # The service's reason, next to the second photo's input.
    assert re.search(
        r'id="id_photo_second-error"><p class="error">두 사진의 촬영 시각이 1분 이상 차이 나야 합니다.', html
    )
    assert 'aria-describedby="id_photo_second-help id_photo_second-error"' in html
    assert 'role="alert"' in html
    assert "선택했던 사진은 다시 선택해 주세요." in html


def test_parking_report_needs_the_signature(resident_client, categories):
    first = timezone.localtime() - dt.timedelta(minutes=10)
    data = _parking_post(first, first + dt.timedelta(minutes=2))
    del data["consent"]
    response = resident_client.post(PARKING, data)
    assert response.status_code == 400
    assert 'id="id_consent-error"' in response.content.decode()
    assert Complaint.objects.count() == 0


def test_parking_report_is_filed_signed_and_its_receipt_downloads(resident_client, resident, categories):
    first = timezone.localtime() - dt.timedelta(minutes=10)
    response = resident_client.post(PARKING, _parking_post(first, first + dt.timedelta(minutes=2)))

    assert response.status_code == 302
    complaint = Complaint.objects.get()
    report = complaint.parking
    assert report.plate == "12가3456" and report.signer_name == "김주민"
    assert report.content_hash and report.signed_at
    assert complaint.photos.count() == 2 and complaint.category.code == "illegal-parking"

    page = resident_client.get(response["Location"]).content.decode()
    assert "12가3456" in page and complaint.number in page

    pdf = resident_client.get(f"/complaints/{complaint.number}/receipt.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert f"receipt-{complaint.number}.pdf" in pdf["Content-Disposition"]
    assert "no-store" in pdf["Cache-Control"]
    assert ComplaintPhoto.objects.filter(complaint=complaint).count() == 2
