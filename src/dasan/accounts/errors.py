"""Error codes of the accounts app: the ``code`` of every error it raises (see core.errors.ErrorCode).

Clients rely on these; a code is never renamed, only added. The message that comes with a
code is written where it is raised, in the user's language.
"""

from dasan.core.errors import ErrorCode


class Code(ErrorCode):
    ACCOUNT_INACTIVE = "account_inactive"
    CSRF_FAILED = "csrf_failed"
    INVALID_BIRTH_DATE = "invalid_birth_date"
    INVALID_DONG = "invalid_dong"
    INVALID_LANGUAGE = "invalid_language"
    INVALID_NAME = "invalid_name"
    INVALID_PHONE = "invalid_phone"
    INVALID_RESIDENCY_METHOD = "invalid_residency_method"
    INVALID_ROLE = "invalid_role"
    LOGIN_INVALID = "login_invalid"
    OTP_ATTEMPTS_EXCEEDED = "otp_attempts_exceeded"
    OTP_EXPIRED = "otp_expired"
    OTP_INVALID = "otp_invalid"
    OTP_NOT_REQUESTED = "otp_not_requested"
    REASON_REQUIRED = "reason_required"
    RESIDENCY_ALREADY_VERIFIED = "residency_already_verified"
    ROSTER_HAS_ERRORS = "roster_has_errors"
    ROSTER_INVALID = "roster_invalid"
    STAFF_ACCOUNT = "staff_account"
    TOKEN_OWNER_NOT_STAFF = "token_owner_not_staff"
    TOTP_ALREADY_ENROLLED = "totp_already_enrolled"
    TOTP_INVALID = "totp_invalid"
    TOTP_NOT_ENROLLED = "totp_not_enrolled"
    TOTP_REPLAYED = "totp_replayed"
    USERNAME_TAKEN = "username_taken"
