"""The resident journey on the web: booking form → checkout → sticker; my bookings; cancel."""

from __future__ import annotations

import re

import pytest

from dasan.payments import services as payments
from dasan.waste import selectors
from dasan.waste.models import Booking, BookingStatus


@pytest.fixture
def signed_in(client, resident):
    client.force_login(resident)
    return client


def _form(district, day, variant, **extra):
    return {
        "district": district.pk,
        "collection_date": day.isoformat(),
        "address": "중앙로 12, 101동 1203호",
        "placement": "현관 앞",
        f"qty_{variant('소파', '3인용').pk}": "1",
        "token": "tok-1",
        "submit": "1",
        **extra,
    }


def test_booking_form_needs_a_signed_in_resident(client, fee_table):
    response = client.get("/waste/book/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_booking_form_lists_days_and_items_then_sends_to_checkout(signed_in, district, open_day, variant):
    page = signed_in.get("/waste/book/", {"district": district.pk, "q": "쇼파"}).content.decode()
    assert open_day.isoformat() in page and "10개 남음" in page
    assert f'name="qty_{variant("소파", "3인용").pk}"' in page
    assert '<label for="address">' in page
    response = signed_in.post("/waste/book/", _form(district, open_day, variant))
    booking = Booking.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/payments/{booking.order_id}/"
    # The same form sent twice (a double click) books once.
    again = signed_in.post("/waste/book/", _form(district, open_day, variant))
    assert again.status_code == 302 and Booking.objects.count() == 1


def test_booking_form_shows_the_error_in_korean(signed_in, district, open_day, variant):
    response = signed_in.post("/waste/book/", _form(district, open_day, variant, address=""))
    assert response.status_code == 400
    assert "상세 주소를 적어 주세요." in response.content.decode()
    assert not Booking.objects.exists()


def test_sticker_after_payment_has_number_qr_and_masked_address(signed_in, book, staff):
    booking = book()
    sticker_url = f"/waste/b/{booking.pk}/sticker/"
    assert signed_in.get(sticker_url).status_code == 404  # not paid yet
    payments.mark_paid_at_office(selectors.order_for(booking), actor=staff)
    booking.refresh_from_db()
    page = signed_in.get(sticker_url).content.decode()
    assert booking.number in page and "<svg" in page and "@page { size: A4" in page
    assert page.count('class="sticker"') == 2  # one per item
    assert "1203호" not in page and "중앙로 12," in page
    label = signed_in.get(sticker_url, {"size": "label"}).content.decode()
    assert "size: 100mm 70mm" in label


def test_my_bookings_and_detail_and_cancel(signed_in, book, staff):
    booking = book()
    payments.mark_paid_at_office(selectors.order_for(booking), actor=staff)
    booking.refresh_from_db()
    assert booking.number in signed_in.get("/waste/mine/").content.decode()
    detail = signed_in.get(f"/waste/b/{booking.pk}/").content.decode()
    assert "수수료를 모두 환불합니다" in detail and "16,000" in detail
    response = signed_in.post(f"/waste/b/{booking.pk}/cancel/", follow=True)
    assert "16,000원을 환불합니다" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_someone_elses_booking_is_not_found(client, book, make_resident):
    booking = book()
    client.force_login(make_resident())
    assert client.get(f"/waste/b/{booking.pk}/").status_code == 404
    assert client.post(f"/waste/b/{booking.pk}/cancel/").status_code == 404


def test_api_booking_with_idempotency_key_and_errors(signed_in, district, open_day, variant):
    body = {
        "district": district.pk,
        "collection_date": open_day.isoformat(),
        "address": "중앙로 12",
        "items": [{"variant": variant("소파", "2인용").pk, "quantity": 1}],
        "expected_total": 7000,
    }
    first = signed_in.post("/api/v1/waste/bookings", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    second = signed_in.post("/api/v1/waste/bookings", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert re.match(r"^/payments/\d{8}-\w{10}/$", first.json()["payment_url"])
    tampered = signed_in.post("/api/v1/waste/bookings", {**body, "expected_total": 1}, content_type="application/json")
    assert tampered.status_code == 409
    assert tampered.json()["error"]["code"] == "price_changed"
    assert "7,000원" in tampered.json()["error"]["message"]
    zero = signed_in.post(
        "/api/v1/waste/bookings",
        {**body, "items": [{"variant": 1, "quantity": 0}], "expected_total": None},
        content_type="application/json",
    )
    assert zero.status_code == 400 and zero.json()["error"]["code"] == "no_items"
    days = signed_in.get(f"/api/v1/waste/districts/{district.pk}/days").json()
    assert days[0]["date"] == open_day.isoformat() and days[0]["remaining"] == 9


def _phone_photo() -> bytes:
    import io

    from PIL import Image

    image = Image.new("RGB", (3000, 2000), "brown")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_photo_is_kept_as_a_clean_small_copy_for_its_owner(
    signed_in, district, open_day, variant, settings, tmp_path, client, make_resident
):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("sofa.jpg", _phone_photo(), content_type="image/jpeg")
    signed_in.post("/waste/book/", {**_form(district, open_day, variant), "photo": upload})
    booking = Booking.objects.get()
    response = signed_in.get(f"/waste/b/{booking.pk}/photo/")
    stored = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert stored.format == "JPEG" and max(stored.size) == 1600
    assert not stored.getexif()
    assert "신고한 물건 사진" in signed_in.get(f"/waste/b/{booking.pk}/").content.decode()
    client.force_login(make_resident())
    assert client.get(f"/waste/b/{booking.pk}/photo/").status_code == 404


def test_a_file_that_is_not_a_picture_is_refused(signed_in, district, open_day, variant):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("sofa.jpg", b"not a picture at all", content_type="image/jpeg")
    response = signed_in.post("/waste/book/", {**_form(district, open_day, variant), "photo": upload})
    assert response.status_code == 400
    assert "사진 파일이 아니거나 손상된 파일입니다" in response.content.decode()  # core.images' message
    assert not Booking.objects.exists()
