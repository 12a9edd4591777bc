from django.utils.translation import gettext_lazy as _

from dasan.core.appconfig import STAFF, DasanAppConfig, Job, Tile


class CertificatesConfig(DasanAppConfig):
    name = "dasan.certificates"
    label = "certificates"
    verbose_name = _("민원서류")
    layer = "composite"

    urls = [("documents/", "urls"), ("staff/documents/", "urls_staff")]
    api = [("/documents/", "api")]
    jobs = [Job("certificates.expire_uncollected", "services.expire_uncollected", every_seconds=3600)]
    demo = "demo.load_demo"
    tiles = [
        Tile(
            "certificates.request",
            title=_("민원서류"),
            description=_(
                "등·초본 같은 서류를 미리 신청해 민원실에서 기다리지 않고 받고, 시설 사용 확인서·민원 처리 결과 통지서는 전자 서명된 PDF로 바로 받습니다."
            ),
            url_name="certificates:index",
            icon="file",
            order=28,
        ),
        Tile(
            "certificates.verify",
            title=_("문서 진위확인"),
            description=_("시에서 발급한 문서의 문서확인번호나 PDF 파일로 진위를 확인합니다."),
            url_name="certificates:verify",
            icon="check",
            order=29,
        ),
        Tile(
            "certificates.requests",
            title=_("사전발급 신청 처리"),
            description=_(
                "주민이 미리 신청한 서류를 수령일별로 보고, 준비해 첨부하고, 준비 완료를 알리고, 수령을 기록합니다."
            ),
            url_name="certificates_staff:index",
            audience=STAFF,
            visible="selectors.handles_requests",
            icon="file",
            order=27,
        ),
        Tile(
            "certificates.staff",
            title=_("시 발급 문서 관리"),
            description=_("시설 사용 확인서와 민원 처리 결과 통지서를 발급하고, 잘못 발급한 문서의 효력을 없앱니다."),
            url_name="certificates_staff:issued",
            audience=STAFF,
            visible="selectors.handles_documents",
            icon="file",
            order=28,
        ),
    ]
