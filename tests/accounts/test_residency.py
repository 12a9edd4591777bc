"""관내 거주 확인: declaring, confirming by the resident list or by a clerk, refusing with a
reason, the resident list import (UTF-8 and CP949, line-numbered report) and who sees what."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from dasan.accounts import residency, roster, selectors
from dasan.accounts.models import Dong, Residency, RosterEntry
from dasan.core.errors import DasanError
from dasan.core.models import AuditEvent
from dasan.notify.models import Message

BIRTH = dt.date(1990, 1, 31)
HEADER = "name,birth_date,phone,dong_code,dong_name\n"


def refused(code, call, *args, **kwargs) -> DasanError:
    with pytest.raises(DasanError) as info:
        call(*args, **kwargs)
    assert info.value.code == code, info.value.message
    return info.value


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return (header + "".join(row + "\n" for row in rows)).encode(encoding)


def sent(user, key: str) -> list[Message]:
    return list(Message.objects.filter(recipient=user, template_key=key))


@pytest.fixture
def kim(make_resident):
    return make_resident(phone="01012345678", name="김민수")


@pytest.fixture
def clerk(make_staff, departments):
    """A 민원 officer granted accounts.change_residency (in a real city: through a group)."""
    user = make_staff("minwon", department=departments["roads"])
    user.user_permissions.add(Permission.objects.get(codename="change_residency", content_type__app_label="accounts"))
    return user


@pytest.fixture
def listed():
    """The city's list: 김민수 in 역삼1동, another person in 역삼2동."""
    return roster.import_roster(
        csv_bytes(
            "김민수,1990-01-31,010-1234-5678,1168064000,역삼1동",
            "이영희,19851102,01099998888,1168065000,역삼2동",
        )
    )


def declare_through_pages(client, dong: str, birth: str = "1990-01-31"):
    response = client.post(reverse("accounts:residency_declare"), {"dong": dong, "birth_date": birth})
    assert response.status_code == 302, response.content.decode()[:1500]
    check = client.get(reverse("accounts:residency_check"))
    assert dong in check.content.decode() or check.status_code == 200
    return client.post(reverse("accounts:residency_check"))


# --- declaring ------------------------------------------------------------------------------------


def test_a_resident_declares_through_the_pages_and_waits_for_a_clerk(client, kim):
    client.force_login(kim)
    assert "아직 신고하지 않았습니다" in client.get(reverse("accounts:residency")).content.decode()
    page = client.get(reverse("accounts:residency_declare")).content.decode()
    assert '<input type="text" id="id_dong"' in page  # no list yet: the 행정동 is typed

    done = declare_through_pages(client, "역삼1동")

    assert done.url == reverse("accounts:residency_done")
    item = selectors.residency_of(kim)
    assert (item.status, item.dong_name, item.birth_date) == ("declared", "역삼1동", BIRTH)
    assert selectors.verified_residency(kim) is None
    assert "확인 대기" in client.get(reverse("accounts:residency")).content.decode()


def test_check_your_answers_shows_the_answers_before_anything_is_stored(client, kim):
    client.force_login(kim)
    client.post(reverse("accounts:residency_declare"), {"dong": "역삼1동", "birth_date": "19900131"})
    page = client.get(reverse("accounts:residency_check")).content.decode()
    assert "역삼1동" in page and "1990-01-31" in page
    assert selectors.residency_of(kim) is None


def test_bad_answers_are_shown_next_to_their_fields(client, kim):
    client.force_login(kim)
    response = client.post(reverse("accounts:residency_declare"), {"dong": "역삼1동", "birth_date": "1990-13-01"})
    assert response.status_code == 400
    assert 'id="id_birth_date-error"' in response.content.decode()
    assert selectors.residency_of(kim) is None


def test_the_form_offers_the_citys_list_and_refuses_a_place_not_on_it(client, kim, listed):
    client.force_login(kim)
    page = client.get(reverse("accounts:residency_declare")).content.decode()
    assert '<option value="1168064000">역삼1동</option>' in page
    response = client.post(reverse("accounts:residency_declare"), {"dong": "9999", "birth_date": "1990-01-31"})
    assert response.status_code == 400 and "행정동 목록에서" in response.content.decode()
    refused("invalid_dong", residency.declare, kim, birth_date=BIRTH, dong_name="없는동")


def test_staff_cannot_declare(make_staff, departments):
    officer = make_staff("officer", department=departments["waste"])
    refused("staff_account", residency.declare, officer, birth_date=BIRTH, dong_name="역삼1동")


# --- the resident list ---------------------------------------------------------------------------


def test_a_declaration_that_matches_the_resident_list_is_confirmed_at_once(client, kim, listed):
    client.force_login(kim)
    declare_through_pages(client, "1168064000")
    item = selectors.verified_residency(kim)
    assert item is not None and (item.method, item.verified_by, item.dong_name) == ("roster", None, "역삼1동")
    assert "거주가 확인되었습니다" in client.get(reverse("accounts:residency_done")).content.decode()
    assert sent(kim, "accounts.residency_verified") == []  # they saw it on the page


def test_the_list_confirms_only_the_same_place_and_birth_date(kim, make_resident, listed):
    assert residency.declare(kim, birth_date=BIRTH, dong_code="1168065000", dong_name="").status == "declared"
    lee = make_resident(phone="01099998888", name="이영희")
    assert residency.declare(lee, birth_date=dt.date(1985, 11, 3), dong_name="역삼2동").status == "declared"


def test_the_list_keeps_no_names_or_phone_numbers(listed):
    stored = " ".join(f"{e.key} {e.dong_code} {e.dong_name}" for e in RosterEntry.objects.all())
    assert RosterEntry.objects.count() == 2
    assert "김민수" not in stored and "5678" not in stored and "1990" not in stored
    assert [(d.code, d.name) for d in Dong.objects.all()] == [("1168064000", "역삼1동"), ("1168065000", "역삼2동")]


def test_a_new_list_confirms_waiting_declarations_and_withdraws_movers(kim, make_resident, clerk):
    park = make_resident(phone="01055556666", name="박서준")
    roster.import_roster(
        csv_bytes(
            "김민수,1990-01-31,01012345678,1168064000,역삼1동", "박서준,1970-05-05,01055556666,1168064000,역삼1동"
        )
    )
    assert residency.declare(kim, birth_date=BIRTH, dong_code="1168064000", dong_name="").status == "verified"
    choi = make_resident(phone="01077778888", name="최지우")
    residency.verify(residency.declare(choi, birth_date=BIRTH, dong_name="역삼1동"), actor=clerk)
    waiting = residency.declare(park, birth_date=dt.date(1970, 5, 5), dong_code="1168064000", dong_name="")
    assert waiting.status == "verified"  # park is listed too
    # Next month: 김민수 moved out; 최지우 was confirmed by a clerk and is not listed either.
    report = roster.import_roster(csv_bytes("박서준,1970-05-05,01055556666,1168064000,역삼1동"))

    assert (report.verified, report.reverted) == (0, 1)
    moved = selectors.residency_of(kim)
    assert moved.status == "declared" and "전출" in moved.reason
    assert selectors.verified_residency(kim) is None
    assert len(sent(kim, "accounts.residency_withdrawn")) == 1
    assert selectors.verified_residency(choi) is not None  # a clerk's confirmation stands
    assert selectors.verified_residency(park) is not None


def test_a_waiting_declaration_is_confirmed_by_the_next_list_and_the_resident_is_told(kim):
    residency.declare(kim, birth_date=BIRTH, dong_name="역삼1동")
    report = roster.import_roster(csv_bytes("김민수,19900131,01012345678,1168064000,역삼1동"))
    assert report.verified == 1
    assert selectors.verified_residency(kim).method == "roster"
    assert len(sent(kim, "accounts.residency_verified")) == 1


def test_cp949_files_with_korean_headers_are_read(kim):
    data = csv_bytes(
        "김민수,1990-01-31,010 1234 5678,1168064000,역삼1동",
        header="성명,생년월일,휴대전화,행정동코드,행정동명\n",
        encoding="cp949",
    )
    report = roster.import_roster(data)
    assert (report.rows, report.kept, report.refused) == (1, 1, 0)
    assert [d.name for d in Dong.objects.all()] == ["역삼1동"]
    assert residency.declare(kim, birth_date=BIRTH, dong_name="역삼1동").status == "verified"


def test_bad_lines_are_reported_by_number_and_nothing_is_imported(listed):
    data = csv_bytes(
        "가,1990-01-31,01011112222,1168064000,역삼1동",
        "나,1990-02-30,01011113333,1168064000,역삼1동",
        "다,1990-01-31,02-123-4567,1168064000,역삼1동",
        "라,1990-01-31,01011114444,1168064000,다른이름동",
    )
    report = roster.import_roster(data)
    assert [(p.line, p.field) for p in report.problems] == [(3, "birth_date"), (4, "phone"), (5, "dong_name")]
    assert report.imported is None
    assert RosterEntry.objects.count() == 2  # the earlier list stands
    skipped = roster.import_roster(data, skip_invalid=True)
    assert skipped.imported is not None and RosterEntry.objects.count() == 1


def test_the_command_prints_the_report_and_fails_on_bad_lines(tmp_path, db):
    path = tmp_path / "residents.csv"
    path.write_bytes(csv_bytes("가,1990-01-31,01011112222,1168064000,역삼1동", "나,1990,01011113333,1,역삼1동"))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("residents", "import", str(path), "--no-progress", stdout=out)
    assert "line 3 [birth_date]" in out.getvalue()
    assert RosterEntry.objects.count() == 0
    path.write_bytes(csv_bytes("가,1990-01-31,01011112222,1168064000,역삼1동"))
    call_command("residents", "import", str(path), "--no-progress", stdout=out)
    assert "imported" in out.getvalue() and RosterEntry.objects.count() == 1


def test_a_file_without_the_columns_or_in_another_encoding_is_refused(db):
    refused("roster_invalid", roster.import_roster, b"a,b,c\n1,2,3\n")
    refused("roster_invalid", roster.import_roster, "이름\n".encode("utf-16"))


# --- staff ---------------------------------------------------------------------------------------


def test_a_clerk_sees_the_queue_with_masked_names_and_the_read_is_audited(client, kim, clerk):
    residency.declare(kim, birth_date=BIRTH, dong_name="역삼1동")
    client.force_login(clerk)
    page = client.get(reverse("residency_staff:queue")).content.decode()
    assert "김*수" in page and "김민수" not in page
    assert AuditEvent.objects.filter(action="personal_record.read", actor=clerk).exists()


def test_a_clerk_confirms_by_proof_and_the_resident_is_told(client, kim, clerk):
    residency.declare(kim, birth_date=BIRTH, dong_name="역삼1동")
    client.force_login(clerk)
    assert "김민수" in client.get(reverse("residency_staff:detail", args=[kim.pk])).content.decode()
    client.post(reverse("residency_staff:decide", args=[kim.pk, "verify"]), {"method": "proof"})
    item = selectors.verified_residency(kim)
    assert (item.method, item.verified_by) == ("proof", clerk)
    assert "역삼1동" in sent(kim, "accounts.residency_verified")[0].body


def test_a_clerk_refuses_with_a_reason_the_resident_reads(client, kim, clerk):
    declared = residency.declare(kim, birth_date=BIRTH, dong_name="역삼1동")
    refused("reason_required", residency.reject, declared, actor=clerk, reason="  ")
    client.force_login(clerk)
    client.post(reverse("residency_staff:decide", args=[kim.pk, "reject"]), {"reason": "등본의 주소가 다릅니다"})
    assert selectors.residency_of(kim).status == "rejected"
    assert "등본의 주소가 다릅니다" in sent(kim, "accounts.residency_rejected")[0].body
    client.force_login(kim)
    page = client.get(reverse("accounts:residency")).content.decode()
    assert "확인 불가" in page and "등본의 주소가 다릅니다" in page


def test_only_residency_clerks_and_city_wide_staff_confirm(client, kim, make_staff, departments):
    from dasan.accounts.models import Role

    declared = residency.declare(kim, birth_date=BIRTH, dong_name="역삼1동")
    officer = make_staff("roads-officer", department=departments["roads"])
    refused("forbidden", residency.verify, declared, actor=officer)
    refused("staff_only", residency.verify, declared, actor=kim)
    client.force_login(officer)
    assert client.get(reverse("residency_staff:queue")).status_code == 403
    assert client.get(reverse("residency_staff:detail", args=[kim.pk])).status_code == 403
    assert client.get(reverse("residency_staff:roster")).status_code == 403
    client.force_login(kim)
    assert client.get(reverse("residency_staff:queue")).status_code == 403
    admin = make_staff("city-admin", department=departments["root"], role=Role.ADMIN)
    assert residency.verify(declared, actor=admin).status == "verified"


def test_a_city_wide_admin_uploads_the_list_on_the_staff_page(client, kim, make_staff, departments):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dasan.accounts.models import Role

    client.force_login(make_staff("city-admin", department=departments["root"], role=Role.ADMIN))
    bad = SimpleUploadedFile("r.csv", csv_bytes("가,1990-01-31,0101111,1,역삼1동"), "text/csv")
    response = client.post(reverse("residency_staff:roster"), {"file": bad})
    assert response.status_code == 400 and "<td>2</td><td>phone</td>" in response.content.decode()
    good = SimpleUploadedFile("r.csv", csv_bytes("김민수,1990-01-31,01012345678,1,역삼1동", encoding="cp949"))
    response = client.post(reverse("residency_staff:roster"), {"file": good})
    assert response.status_code == 200 and RosterEntry.objects.count() == 1


# --- the API -------------------------------------------------------------------------------------


def test_the_api_shows_only_the_callers_own_residency(client, kim, make_resident):
    residency.declare(kim, birth_date=BIRTH, dong_name="역삼1동")
    client.force_login(kim)
    mine = client.get("/api/v1/accounts/residency").json()
    assert (mine["status"], mine["dong_name"], mine["birth_date"]) == ("declared", "역삼1동", "1990-01-31")
    client.force_login(make_resident(name="이웃"))
    assert client.get("/api/v1/accounts/residency").json()["status"] == "none"
    client.logout()
    assert client.get("/api/v1/accounts/residency").status_code == 401


def test_the_api_declares_and_refuses_bad_input_with_codes_in_the_users_language(client, kim, listed):
    client.force_login(kim)
    url = "/api/v1/accounts/residency"
    ok = client.post(url, {"birth_date": "19900131", "dong_code": "1168064000"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "verified"
    again = client.post(url, {"birth_date": "1990-01-31", "dong_code": "1168064000"}, content_type="application/json")
    assert again.json()["verified_at"] == ok.json()["verified_at"]  # a retry changes nothing
    kim.language = "en"  # errors come in the resident's own language
    kim.save(update_fields=["language"])
    bad = client.post(url, {"birth_date": "31/01/1990"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_birth_date"
    assert "date of birth" in bad.json()["error"]["message"].lower()
    nowhere = client.post(url, {"birth_date": "1990-01-31", "dong_code": "0"}, content_type="application/json")
    assert nowhere.status_code == 400 and nowhere.json()["error"]["code"] == "invalid_dong"
    missing = client.post(url, {"dong_code": "1"}, content_type="application/json")
    assert missing.status_code == 422
    assert [d["name"] for d in client.get(url + "/dongs").json()] == ["역삼1동", "역삼2동"]


def test_the_api_is_in_the_openapi_document(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/accounts/residency"])


def test_residency_is_one_row_per_resident(kim):
    residency.declare(kim, birth_date=BIRTH, dong_name="역삼1동")
    residency.declare(kim, birth_date=BIRTH, dong_name="역삼2동")
    assert Residency.objects.filter(user=kim).count() == 1
    assert selectors.residency_of(kim).dong_name == "역삼2동"


def test_the_demo_city_has_a_resident_list_and_a_waiting_declaration(db):
    from dasan.accounts.demo import load_demo
    from dasan.core.demo import load_demo as load_city

    load_city()
    load_demo()
    load_demo()  # safe to run again
    hong = selectors.residency_of(Residency.objects.get(user__phone="01000000001").user)
    assert (hong.status, hong.method, hong.dong_name) == ("verified", "roster", "중앙동")
    assert Residency.objects.get(user__phone="01000000002").status == "declared"
    assert Dong.objects.count() == 5
