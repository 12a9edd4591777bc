"""What the accounts app tells residents and staff, by message key and language (see notify.templates)."""

CATEGORY = "transactional"

TEXTS = {
    # SMS-short: Korean SMS is billed per 90 bytes (45 Korean characters).
    "accounts.otp_code": {
        "ko": {"subject": "", "body": "[{{ city }}] 인증번호 {{ code }} ({{ minutes }}분 이내 입력)"},
        "en": {"subject": "", "body": "[{{ city }}] Your code is {{ code }} (valid {{ minutes }} min)"},
        "zh-hans": {"subject": "", "body": "[{{ city }}] 验证码 {{ code }}（{{ minutes }}分钟内有效）"},
        "vi": {"subject": "", "body": "[{{ city }}] Mã xác thực {{ code }} (hiệu lực {{ minutes }} phút)"},
    },
    # An e-mail to a member of staff, at most once an hour, when their username sees
    # repeated wrong passwords (services.staff_login_password).
    "accounts.staff_login_failures": {
        "ko": {
            "subject": "[{{ city }}] 공무원 계정 로그인 실패 알림",
            "body": "{{ name }}님, 아이디 {{ username }}(으)로 최근 {{ minutes }}분 안에 "
            "잘못된 비밀번호가 {{ count }}번 입력되었습니다.\n\n"
            "계정은 잠기지 않았으며, 평소처럼 로그인할 수 있습니다. "
            "본인이 입력한 것이 아니라면 비밀번호를 바꾸고 정보화 담당 부서에 알려 주세요.",
        },
        "en": {
            "subject": "[{{ city }}] Failed sign-ins to your staff account",
            "body": "{{ name }}, a wrong password was entered {{ count }} times for the username "
            "{{ username }} in the last {{ minutes }} minutes.\n\n"
            "Your account is not locked and you can sign in as usual. "
            "If this was not you, change your password and tell the IT department.",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 公务员账号登录失败提醒",
            "body": "{{ name }}，最近 {{ minutes }} 分钟内，用户名 {{ username }} "
            "被输入了 {{ count }} 次错误密码。\n\n"
            "您的账号没有被锁定，可以照常登录。如果不是您本人操作，请修改密码并告知信息化部门。",
        },
        "vi": {
            "subject": "[{{ city }}] Đăng nhập thất bại vào tài khoản công chức",
            "body": "{{ name }}, tên đăng nhập {{ username }} đã bị nhập sai mật khẩu {{ count }} lần "
            "trong {{ minutes }} phút qua.\n\n"
            "Tài khoản của bạn không bị khóa và bạn vẫn đăng nhập như bình thường. "
            "Nếu không phải bạn, hãy đổi mật khẩu và báo cho bộ phận công nghệ thông tin.",
        },
    },
}
