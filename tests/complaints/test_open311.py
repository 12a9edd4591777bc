"""Open311 GeoReport v2 at /open311/v2/: contract tests against the spec's JSON Schemas
(open311/schema-validation, kept in the shared data folder), the XML shapes the spec
shows, the spec's errors for bad input, and a request's life from POST to closed."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema_rs
import pytest
from django.utils import timezone

BASE = "/open311/v2/"
ROOT = Path(__file__).resolve().parents[2]


def _schema_dir() -> Path:
    for candidate in (
        ROOT / "shared" / "data" / "open311",
        ROOT.parent / "shared" / "data" / "open311",
        Path("/work/shared/data/open311"),
    ):
        if (candidate / "schema_request.json").exists():
            return candidate
    raise FileNotFoundError("GeoReport v2 JSON Schemas (shared/data/open311) not found")


SCHEMA_DIR = _schema_dir()


def _retrieve(uri: str):
    # The list schemas refer to their item schemas by file name ("service.json");
    # the shared copies are stored as schema_<name>.json.
    return json.loads((SCHEMA_DIR / ("schema_" + uri.rsplit("/", 1)[-1])).read_text())


def _validator(name: str):
    schema = json.loads((SCHEMA_DIR / f"schema_{name}.json").read_text())
    return jsonschema_rs.validator_for(
        schema, base_uri=f"file://{SCHEMA_DIR}/{name}.json", retriever=_retrieve, validate_formats=True
    )


VALIDATORS = {name: _validator(name) for name in ("service", "services", "service-definition", "request", "requests")}


def assert_valid(name: str, document) -> None:
    errors = [f"{error.instance_path}: {error.message}" for error in VALIDATORS[name].iter_errors(document)]
    assert not errors, errors


def as_json(response):
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return json.loads(response.content)


def as_xml(response) -> ET.Element:
    assert response["Content-Type"].startswith("text/xml"), response["Content-Type"]
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)


def errors_of(response, status: int) -> list[str]:
    """The spec's error list (JSON or XML) of ``response``, checked to carry ``status``."""
    assert response.status_code == status, response.content
    if response["Content-Type"].startswith("text/xml"):
        root = as_xml(response)
        assert root.tag == "errors"
        items = root.findall("error")
        assert items and all(int(item.findtext("code")) == status for item in items)
        return [item.findtext("description") for item in items]
    body = as_json(response)
    assert isinstance(body, list) and body
    assert all(set(item) == {"code", "description"} and item["code"] == status for item in body)
    return [item["description"] for item in body]


# --- fixtures ------------------------------------------------------------------------------------
@pytest.fixture
def integrator(make_staff, departments):
    return make_staff("integrator", department=departments["root"])


@pytest.fixture
def api_key(integrator):
    from dasan.accounts.services import issue_api_token

    return issue_api_token(integrator, "동네앱")


@pytest.fixture
def dumping(api_key, categories):
    """A valid POST for illegal dumping (the form fields a client sends)."""
    return {
        "api_key": api_key,
        "service_code": "illegal-dumping",
        "lat": "37.566500",
        "long": "126.978000",
        "address_string": "서울특별시 중구 세종대로 110",
        "description": "골목 입구에 재활용품이 쌓여 있어요",
        "attribute[waste_type]": "recyclable",
        "first_name": "민수",
        "last_name": "김",
        "email": "minsu@example.com",
        "phone": "010-2222-3333",
    }


def post(client, data, fmt="json", **extra):
    return client.post(f"{BASE}requests.{fmt}", data, **extra)


def file_web_complaint(category, *, resident, is_public, description="보도블록이 깨졌어요", received_at=None, **extra):
    from dasan.complaints import intake, services

    return intake.file_complaint(
        title="보도 파손",
        description=description,
        channel="web",
        category=category,
        resident=resident,
        latitude="37.500000",
        longitude="127.000000",
        address="서울특별시 강남구 테헤란로 123",
        is_public=is_public,
        received_at=received_at,
        **extra,
    )


# --- discovery -----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_discovery_names_the_endpoint_formats_and_that_requests_are_public(client, city):
    body = as_json(client.get(f"{BASE}discovery.json"))
    assert dt.datetime.fromisoformat(body["changeset"]).tzinfo is not None
    assert "테스트시" in body["contact"] and "02-000-0000" in body["contact"]
    assert "공개" in body["key_service"]
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]

    root = as_xml(client.get(f"{BASE}discovery.xml"))
    assert root.tag == "discovery"
    formats = root.findall("endpoints/endpoint/formats/format")
    assert [f.text for f in formats] == ["text/xml", "application/json"]
    assert root.findtext("endpoints/endpoint/url") == "http://testserver/open311/v2/"


# --- services ------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_services_list_categories_with_their_codes_and_leave_out_parking(client, categories):
    from dasan.complaints.models import Category

    Category.objects.filter(code="pothole").update(description="도로가 패이거나 깨진 곳")
    Category.objects.create(
        code="old-one", name="폐지된 분류", department=categories["waste"].department, is_active=False
    )

    response = client.get(f"{BASE}services.json")
    assert response.status_code == 200
    body = as_json(response)
    assert_valid("services", body)
    by_code = {item["service_code"]: item for item in body}
    assert set(by_code) == {"illegal-dumping", "pothole", "policy-question"}
    assert by_code["illegal-dumping"]["service_name"] == "쓰레기 무단투기"
    assert by_code["illegal-dumping"]["metadata"] is True
    assert by_code["illegal-dumping"]["group"] == "환경"
    assert by_code["illegal-dumping"]["keywords"].startswith("쓰레기")
    assert by_code["pothole"]["description"] == "도로가 패이거나 깨진 곳"
    assert by_code["policy-question"]["metadata"] is False
    assert {item["type"] for item in body} == {"realtime"}


@pytest.mark.django_db
def test_services_xml_has_one_service_element_per_category(client, categories):
    root = as_xml(client.get(f"{BASE}services.xml"))
    assert root.tag == "services"
    services = root.findall("service")
    assert [s.findtext("service_code") for s in services] == ["illegal-dumping", "policy-question", "pothole"]
    first = services[0]
    assert [child.tag for child in first] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert first.findtext("metadata") == "true" and first.findtext("type") == "realtime"
    assert first.find("description").text is None  # no description: an empty element


@pytest.mark.django_db
def test_service_definition_lists_attributes_with_values(client, categories):
    body = as_json(client.get(f"{BASE}services/illegal-dumping.json"))
    assert_valid("service-definition", body)
    assert body["service_code"] == "illegal-dumping"
    waste = body["attributes"][0]
    assert waste["code"] == "waste_type" and waste["datatype"] == "singlevaluelist"
    assert waste["required"] is True and waste["variable"] is True and waste["order"] == 1
    assert {"key": "recyclable", "name": "재활용품"} in waste["values"]

    pothole = as_json(client.get(f"{BASE}services/pothole.json"))
    assert_valid("service-definition", pothole)
    assert [a["datatype"] for a in pothole["attributes"]] == ["singlevaluelist", "multivaluelist", "number"]

    question = as_json(client.get(f"{BASE}services/policy-question.json"))
    assert_valid("service-definition", question)
    assert question["attributes"] == []


@pytest.mark.django_db
def test_service_definition_xml_nests_attributes_and_values(client, categories):
    root = as_xml(client.get(f"{BASE}services/illegal-dumping.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "illegal-dumping"
    attribute = root.find("attributes/attribute")
    assert attribute.findtext("code") == "waste_type"
    assert attribute.findtext("required") == "true"
    keys = [value.findtext("key") for value in attribute.findall("values/value")]
    assert "recyclable" in keys and "household" in keys


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_is_404_in_the_spec_error_format(client, categories, fmt):
    (description,) = errors_of(client.get(f"{BASE}services/no-such-thing.{fmt}"), 404)
    assert "no-such-thing" in description


@pytest.mark.django_db
def test_parking_is_not_offered_and_says_why(client, categories):
    (description,) = errors_of(client.get(f"{BASE}services/illegal-parking.json"), 400)
    assert "서명" in description and "사진" in description


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["services.csv", "services", "services/pothole.html", "requests.yaml", "discovery."])
def test_wrong_format_extension_is_answered_in_xml(client, categories, path):
    (description,) = errors_of(client.get(BASE + path), 400)
    assert ".xml" in description and ".json" in description


@pytest.mark.django_db
def test_other_methods_are_refused(client, categories):
    response = client.delete(f"{BASE}requests.json")
    errors_of(response, 405)
    assert "POST" in response["Allow"]
    errors_of(client.post(f"{BASE}services.json"), 405)


@pytest.mark.django_db
def test_jurisdiction_id_must_be_this_city_when_configured(client, categories, settings):
    settings.DASAN = {**settings.DASAN, "OPEN311_JURISDICTION": "test.go.kr"}
    assert client.get(f"{BASE}services.json", {"jurisdiction_id": "test.go.kr"}).status_code == 200
    assert client.get(f"{BASE}services.json").status_code == 200  # optional
    (description,) = errors_of(client.get(f"{BASE}services.xml", {"jurisdiction_id": "other.gov"}), 404)
    assert "jurisdiction_id" in description


# --- POST requests -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_post_files_a_public_complaint_and_answers_its_id(client, dumping, integrator):
    from dasan.complaints.models import Complaint
    from dasan.core.models import AuditEvent

    response = post(client, dumping)
    assert response.status_code == 200, response.content
    (answer,) = as_json(response)
    assert set(answer) == {"service_request_id", "token", "service_notice", "account_id"}
    assert answer["account_id"] is None
    assert "처리 기한" in answer["service_notice"] and "공개" in answer["service_notice"]

    complaint = Complaint.objects.get(number=answer["service_request_id"])
    assert complaint.channel == "open311"
    assert complaint.category.code == "illegal-dumping"
    assert complaint.department.name == "청소행정과"
    assert complaint.is_public and complaint.resident is None
    assert complaint.contact_name == "김민수"
    assert complaint.contact_email == "minsu@example.com"
    assert complaint.contact_phone == "01022223333"
    assert str(complaint.latitude) == "37.566500" and str(complaint.longitude) == "126.978000"
    assert complaint.address == "서울특별시 중구 세종대로 110"
    # The answer to the service's question is in the text staff read, in Korean.
    assert "골목 입구에 재활용품이 쌓여 있어요" in complaint.description
    assert "버려진 쓰레기의 종류: 재활용품" in complaint.description
    # The integration that filed it is on record.
    event = AuditEvent.objects.filter(action="complaints.open311_filed").get()
    assert event.actor == integrator


@pytest.mark.django_db
def test_post_answers_in_xml(client, dumping):
    root = as_xml(post(client, dumping, fmt="xml"))
    assert root.tag == "service_requests"
    (request,) = root.findall("request")
    assert request.findtext("service_request_id")
    assert request.findtext("token")
    assert request.find("account_id").text is None


@pytest.mark.django_db
def test_post_accepts_address_alone_and_list_and_number_attributes(client, api_key, categories):
    from dasan.complaints.models import Complaint

    response = post(
        client,
        {
            "api_key": api_key,
            "service_code": "pothole",
            "address_string": "세종대로 앞 횡단보도",
            "description": "횡단보도 앞 도로가 크게 패였어요",
            "attribute[size]": "large",
            "attribute[where][]": ["roadway", "crosswalk"],
            "attribute[depth_cm]": "7",
            "phone": "02-123-4567",
        },
    )
    (answer,) = as_json(response)
    complaint = Complaint.objects.get(number=answer["service_request_id"])
    assert complaint.latitude is None and complaint.address == "세종대로 앞 횡단보도"
    assert complaint.title == "횡단보도 앞 도로가 크게 패였어요"
    assert "파손된 곳의 위치 (여럿 고를 수 있음): 차도, 횡단보도" in complaint.description
    assert "대략의 깊이(cm): 7" in complaint.description
    # A landline is kept for staff to call; no text message can go to it.
    assert complaint.contact_phone == "021234567" and complaint.contact_preference == "none"


@pytest.mark.django_db
def test_anonymous_requests_only_where_the_service_allows_them(client, api_key, categories):
    from dasan.complaints.models import Complaint

    (answer,) = as_json(
        post(
            client,
            {
                "api_key": api_key,
                "service_code": "illegal-dumping",
                "lat": "37.5",
                "long": "127.0",
                "attribute[waste_type]": "food",
            },
        )
    )
    complaint = Complaint.objects.get(number=answer["service_request_id"])
    assert complaint.is_anonymous and complaint.contact_preference == "none"
    assert complaint.title == "쓰레기 무단투기"  # no description: the service's name
    assert "버려진 쓰레기의 종류: 음식물쓰레기" in complaint.description

    (description,) = errors_of(
        post(
            client,
            {
                "api_key": api_key,
                "service_code": "pothole",
                "address_string": "세종대로 앞",
                "description": "도로가 패였어요",
            },
        ),
        400,
    )
    assert "익명" in description and "email" in description


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("key", [None, "", "wrong", "dsn_not-a-real-token"])
def test_post_without_a_valid_api_key_is_403(client, dumping, fmt, key):
    from dasan.complaints.models import Complaint

    data = {k: v for k, v in dumping.items() if k != "api_key"}
    if key is not None:
        data["api_key"] = key
    (description,) = errors_of(post(client, data, fmt=fmt), 403)
    assert "api_key" in description
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_revoked_api_key_is_refused(client, dumping, integrator):
    from dasan.accounts.models import APIToken
    from dasan.accounts.services import revoke_api_token

    revoke_api_token(APIToken.objects.get(owner=integrator))
    errors_of(post(client, dumping), 403)


@pytest.mark.django_db
def test_api_key_may_come_as_a_bearer_header(client, dumping):
    data = {k: v for k, v in dumping.items() if k != "api_key"}
    response = post(client, data, HTTP_AUTHORIZATION=f"Bearer {dumping['api_key']}")
    assert response.status_code == 200, response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, status, needle",
    [
        ({"service_code": "no-such-thing"}, 404, "no-such-thing"),
        ({"service_code": ""}, 400, "service_code"),
        ({"service_code": "illegal-parking"}, 400, "서명"),
        ({"lat": "", "long": "", "address_string": ""}, 400, "위치"),
        ({"long": ""}, 400, "lat과 long"),
        ({"lat": "north"}, 400, "lat"),
        ({"lat": "91"}, 400, "lat"),
        ({"long": "nan"}, 400, "long"),
        ({"attribute[waste_type]": ""}, 400, "attribute[waste_type]"),
        ({"attribute[waste_type]": "uranium"}, 400, "uranium"),
        ({"attribute[colour]": "red"}, 400, "colour"),
        ({"attribute[seen_at]": "last tuesday"}, 400, "seen_at"),
        ({"email": "not-an-address"}, 400, "email"),
        ({"phone": "12345"}, 400, "phone"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"description": "가" * 4001}, 400, "description"),
        ({"address_string": "동" * 201}, 400, "address_string"),
        ({"jurisdiction_id": "other.gov"}, 404, "jurisdiction_id"),
    ],
)
def test_bad_posts_get_the_spec_errors_and_file_nothing(client, dumping, settings, change, status, needle):
    from dasan.complaints.models import Complaint

    settings.DASAN = {**settings.DASAN, "OPEN311_JURISDICTION": "test.go.kr"}
    descriptions = errors_of(post(client, {**dumping, **change}), status)
    assert any(needle in d for d in descriptions), descriptions
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_all_problems_are_reported_at_once(client, api_key, categories):
    descriptions = errors_of(post(client, {"api_key": api_key, "service_code": "illegal-dumping", "email": "x"}), 400)
    assert len(descriptions) == 3  # location, e-mail, the required attribute


@pytest.mark.django_db
def test_control_characters_are_refused_in_the_specs_error_list(client, dumping):
    from dasan.complaints.models import Complaint

    response = post(client, {**dumping, "description": "쓰레기\x00 더미\x07가 있어요"})
    (description,) = errors_of(response, 400)
    assert description and not Complaint.objects.exists()


@pytest.mark.django_db
def test_posts_are_rate_limited_per_key(client, dumping, settings):
    settings.DASAN = {**settings.DASAN, "OPEN311_POSTS_PER_KEY_HOUR": 2}
    assert post(client, dumping).status_code == 200
    assert post(client, dumping).status_code == 200
    response = post(client, dumping)
    errors_of(response, 429)
    assert int(response["Retry-After"]) > 0


@pytest.mark.django_db
def test_posts_are_rate_limited_per_address_even_with_bad_keys(client, dumping, settings):
    settings.DASAN = {**settings.DASAN, "OPEN311_POSTS_PER_IP_MINUTE": 3}
    for _ in range(3):
        errors_of(post(client, {**dumping, "api_key": "guess"}), 403)
    errors_of(post(client, dumping), 429)


@pytest.mark.django_db
def test_a_retry_with_the_same_idempotency_key_files_once(client, dumping):
    from dasan.complaints.models import Complaint

    first = post(client, dumping, HTTP_IDEMPOTENCY_KEY="abc-1")
    again = post(client, dumping, HTTP_IDEMPOTENCY_KEY="abc-1")
    assert as_json(first) == as_json(again)
    assert again["Idempotent-Replayed"] == "true"
    assert Complaint.objects.count() == 1


# --- GET requests --------------------------------------------------------------------------------
@pytest.mark.django_db
def test_request_life_from_post_to_closed_with_the_answer(client, dumping, make_staff, departments):
    from dasan.complaints import intake, services
    from dasan.complaints.models import Complaint

    (answer,) = as_json(post(client, dumping))
    request_id = answer["service_request_id"]

    response = client.get(f"{BASE}requests/{request_id}.json")
    body = as_json(response)
    assert_valid("requests", body)
    (request,) = body
    assert_valid("request", request)
    assert request["status"] == "open"
    assert request["service_code"] == "illegal-dumping" and request["service_name"] == "쓰레기 무단투기"
    assert request["agency_responsible"] == "청소행정과"
    assert request["requested_datetime"].endswith("+09:00")
    assert request["lat"] == pytest.approx(37.5665) and request["long"] == pytest.approx(126.978)
    assert response["Access-Control-Allow-Origin"] == "*"
    # Never the person behind it.
    text = response.content.decode()
    for private in ("김민수", "민수", "minsu@example.com", "01022223333", "2222-3333"):
        assert private not in text

    officer = make_staff("waste-officer", department=departments["waste"])
    complaint = Complaint.objects.get(number=request_id)
    services.answer(complaint, actor=officer, text="수거했습니다. 문의는 010-9999-8888로 주세요.")

    (closed,) = as_json(client.get(f"{BASE}requests/{request_id}.json"))
    assert_valid("request", closed)
    assert closed["status"] == "closed"
    assert closed["status_notes"].startswith("수거했습니다.")
    assert "9999-8888" not in closed["status_notes"]  # masked like every published text

    root = as_xml(client.get(f"{BASE}requests/{request_id}.xml"))
    assert root.tag == "service_requests"
    (element,) = root.findall("request")
    assert element.findtext("status") == "closed"
    assert element.findtext("service_request_id") == request_id
    assert float(element.findtext("lat")) == pytest.approx(37.5665)


@pytest.mark.django_db
def test_token_leads_to_the_request(client, dumping):
    (answer,) = as_json(post(client, dumping))
    body = as_json(client.get(f"{BASE}tokens/{answer['token']}.json"))
    assert body == [{"service_request_id": answer["service_request_id"], "token": answer["token"]}]
    root = as_xml(client.get(f"{BASE}tokens/{answer['token']}.xml"))
    assert root.findtext("request/service_request_id") == answer["service_request_id"]

    forged = answer["service_request_id"] + "-0000000000aaaaaaaaaa"
    errors_of(client.get(f"{BASE}tokens/{forged}.json"), 404)


@pytest.mark.django_db
def test_get_requests_shows_public_and_open311_requests_only(client, dumping, categories, resident):
    private = file_web_complaint(categories["pothole"], resident=resident, is_public=False)
    public = file_web_complaint(
        categories["pothole"],
        resident=resident,
        is_public=True,
        description="보도블록이 깨졌어요. 연락은 010-1234-5678로",
    )
    (answer,) = as_json(post(client, dumping))

    body = as_json(client.get(f"{BASE}requests.json"))
    assert_valid("requests", body)
    ids = [item["service_request_id"] for item in body]
    assert set(ids) == {public.number, answer["service_request_id"]}
    shown = next(item for item in body if item["service_request_id"] == public.number)
    assert "1234-5678" not in shown["description"] and "보도블록이 깨졌어요" in shown["description"]
    assert "123" not in shown["address"]  # the building number is masked

    errors_of(client.get(f"{BASE}requests/{private.number}.json"), 404)

    root = as_xml(client.get(f"{BASE}requests.xml"))
    assert root.tag == "service_requests"
    assert sorted(r.findtext("service_request_id") for r in root.findall("request")) == sorted(ids)


@pytest.mark.django_db
def test_get_requests_filters(client, categories, resident, make_staff, departments):
    from dasan.complaints import intake, services

    now = timezone.now()
    old = file_web_complaint(
        categories["pothole"], resident=resident, is_public=True, received_at=now - dt.timedelta(days=120)
    )
    pothole = file_web_complaint(
        categories["pothole"], resident=resident, is_public=True, received_at=now - dt.timedelta(days=10)
    )
    dumping = file_web_complaint(
        categories["waste"], resident=resident, is_public=True, received_at=now - dt.timedelta(days=2)
    )
    services.answer(pothole, actor=make_staff("roads", department=departments["roads"]), text="보수했습니다.")

    def ids(**query):
        body = as_json(client.get(f"{BASE}requests.json", query))
        assert_valid("requests", body)
        return [item["service_request_id"] for item in body]

    # Default: the last 90 days, newest first.
    assert ids() == [dumping.number, pothole.number]
    assert ids(service_code="pothole") == [pothole.number]
    assert ids(service_code="pothole,illegal-dumping") == [dumping.number, pothole.number]
    assert ids(status="open") == [dumping.number]
    assert ids(status="closed") == [pothole.number]
    assert ids(status="open,closed") == [dumping.number, pothole.number]
    window = {
        "start_date": (now - dt.timedelta(days=130)).isoformat(),
        "end_date": (now - dt.timedelta(days=60)).isoformat(),
    }
    assert ids(**window) == [old.number]
    assert ids(start_date=(now - dt.timedelta(days=5)).isoformat()) == [dumping.number]
    assert ids(end_date=(now - dt.timedelta(days=5)).isoformat()) == [pothole.number]
    # Ids override every other filter, old ones included.
    assert ids(service_request_id=f"{old.number},{dumping.number}", status="closed") == [dumping.number, old.number]


@pytest.mark.django_db
def test_dates_with_an_unencoded_plus_still_parse(client, categories, resident):
    complaint = file_web_complaint(categories["pothole"], resident=resident, is_public=True)
    start = timezone.localtime() - dt.timedelta(days=1)
    query = "start_date=" + start.isoformat(timespec="seconds")  # "+09:00" arrives as " 09:00"
    body = as_json(client.get(f"{BASE}requests.json?{query}"))
    assert [item["service_request_id"] for item in body] == [complaint.number]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    "query, status, needle",
    [
        ({"start_date": "2026-13-45"}, 400, "start_date"),
        ({"end_date": "yesterday"}, 400, "end_date"),
        ({"start_date": "2026-01-01T00:00:00+09:00", "end_date": "2026-05-01T00:00:00+09:00"}, 400, "90"),
        ({"start_date": "2026-05-01T00:00:00+09:00", "end_date": "2026-04-01T00:00:00+09:00"}, 400, "end_date"),
        ({"status": "pending"}, 400, "status"),
        ({"service_code": "no-such-thing"}, 404, "no-such-thing"),
    ],
)
def test_bad_request_filters_get_the_spec_errors(client, categories, fmt, query, status, needle):
    descriptions = errors_of(client.get(f"{BASE}requests.{fmt}", query), status)
    assert any(needle in d for d in descriptions), descriptions


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_request_id_is_404(client, categories, fmt):
    (description,) = errors_of(client.get(f"{BASE}requests/2026-999999.{fmt}"), 404)
    assert "2026-999999" in description


@pytest.mark.django_db
def test_requests_in_other_statuses_are_closed_with_a_note(client, dumping, make_staff, departments):
    from dasan.complaints import intake, services
    from dasan.complaints.models import Complaint

    (answer,) = as_json(post(client, dumping))
    complaint = Complaint.objects.get(number=answer["service_request_id"])
    manager = make_staff("waste-manager", department=departments["waste"])
    services.transfer(complaint, actor=manager, agency="한국도로공사", reason="고속도로 구간")

    (request,) = as_json(client.get(f"{BASE}requests/{complaint.number}.json"))
    assert_valid("request", request)
    assert request["status"] == "closed"
    assert "한국도로공사" in request["status_notes"]
    assert request["agency_responsible"] == "한국도로공사"


@pytest.mark.django_db
def test_withdrawn_public_complaint_shows_closed(client, categories, resident):
    from dasan.complaints import intake, services

    complaint = file_web_complaint(categories["pothole"], resident=resident, is_public=True)
    services.withdraw(complaint, actor=resident)
    (request,) = as_json(client.get(f"{BASE}requests/{complaint.number}.json"))
    assert_valid("request", request)
    assert request["status"] == "closed" and "취하" in request["status_notes"]
    assert request["service_notice"] is None
