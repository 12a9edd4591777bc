"""The messages 주민참여예산 sends residents, by key, in ko (required), en, zh-hans and vi
(registered by notify; staff edit them in the admin). Example::

    TEXTS = {
        "participation.done": {
            "ko": {"subject": "[{{ city }}] 완료", "body": "[{{ city }}] 완료되었습니다.{% if url %} {{ url }}{% endif %}"},
            "en": {...}, "zh-hans": {...}, "vi": {...},
        },
    }
"""

CATEGORY = "transactional"

TEXTS: dict[str, dict[str, dict[str, str]]] = {}
