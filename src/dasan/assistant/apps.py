from django.utils.translation import gettext_lazy as _

from dasan.core.appconfig import STAFF, DasanAppConfig, Tile


class AssistantConfig(DasanAppConfig):
    name = "dasan.assistant"
    label = "assistant"
    verbose_name = _("AI 민원 도우미")
    layer = "assistant"

    urls = [("assistant/", "urls"), ("channels/kakao/", "channels.kakao.urls")]
    api = [("/assistant/", "api")]
    tiles = [
        Tile(
            "assistant.chat",
            title=_("AI 민원 도우미"),
            description=_("궁금한 시청 업무를 물어보면 안내 자료에서 찾아 출처와 함께 답합니다."),
            url_name="assistant:chat",
            icon="chat",
            order=20,
        ),
        Tile(
            "assistant.gaps",
            title=_("답하지 못한 질문"),
            description=_("도우미가 답하지 못했거나 도움이 안 됐다고 평가된 질문을 주제별로 봅니다."),
            url_name="assistant:staff_gaps",
            audience=STAFF,
            icon="chat",
            order=300,
        ),
    ]
