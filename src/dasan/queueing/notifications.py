"""What the queueing app tells residents, by message key and language (see notify.templates)."""

CATEGORY = "transactional"

# Short enough for one SMS; numbers only, no names.
TEXTS = {
    "queueing.near": {
        "ko": {
            "subject": "[{{ office }}] 곧 차례입니다",
            "body": "[{{ office }}] 번호표 {{ number }}({{ service }}) 앞에 {{ ahead }}명 남았습니다. 민원실로 와 주세요.",
        },
        "en": {
            "subject": "[{{ office }}] Your turn is coming",
            "body": "[{{ office }}] {{ ahead }} people are ahead of ticket {{ number }} ({{ service }}). Please come to the office.",
        },
        "zh-hans": {
            "subject": "[{{ office }}] 即将轮到您",
            "body": "[{{ office }}] 号码 {{ number }}（{{ service }}）前面还有 {{ ahead }} 人。请前往民愿室。",
        },
        "vi": {
            "subject": "[{{ office }}] Sắp đến lượt bạn",
            "body": "[{{ office }}] Còn {{ ahead }} người trước số {{ number }} ({{ service }}). Vui lòng đến quầy.",
        },
    },
    "queueing.called": {
        "ko": {
            "subject": "[{{ office }}] {{ number }}번 호출",
            "body": "[{{ office }}] 번호표 {{ number }}번, {{ counter }}번 창구로 와 주세요.",
        },
        "en": {
            "subject": "[{{ office }}] Ticket {{ number }} called",
            "body": "[{{ office }}] Ticket {{ number }}, please come to counter {{ counter }}.",
        },
        "zh-hans": {
            "subject": "[{{ office }}] {{ number }} 号叫号",
            "body": "[{{ office }}] {{ number }} 号，请到 {{ counter }} 号窗口。",
        },
        "vi": {
            "subject": "[{{ office }}] Gọi số {{ number }}",
            "body": "[{{ office }}] Số {{ number }}, vui lòng đến quầy số {{ counter }}.",
        },
    },
}
