"""Error codes of the certificates app: the ``code`` of every error it raises (see core.errors.ErrorCode).

Clients rely on these; a code is never renamed, only added. The message that comes with a
code is written where it is raised, in the user's language.
"""

from dasan.core.errors import ErrorCode


class Code(ErrorCode):
    ALREADY_REVOKED = "already_revoked"
    DOCUMENT_NOT_FOUND = "document_not_found"
    FILE_REQUIRED = "file_required"
    FILE_TOO_LARGE = "file_too_large"
    ID_CHECK_REQUIRED = "id_check_required"
    INVALID_COPIES = "invalid_copies"
    INVALID_ID_KIND = "invalid_id_kind"
    INVALID_PICKUP_TIME = "invalid_pickup_time"
    ISSUE_FAILED = "issue_failed"
    ISSUED_ONLINE = "issued_online"
    LOGIN_REQUIRED = "login_required"
    NOT_ANSWERED = "not_answered"
    NOT_PDF = "not_pdf"
    NOT_PICKUP_DAY = "not_pickup_day"
    NOT_USED = "not_used"
    NUMBER_REQUIRED = "number_required"
    PICKUP_TOO_EARLY = "pickup_too_early"
    REASON_REQUIRED = "reason_required"
    REQUEST_NOT_FOUND = "request_not_found"
    SIGNING_UNAVAILABLE = "signing_unavailable"
    SOURCE_NOT_FOUND = "source_not_found"
    TOO_LATE_TO_CANCEL = "too_late_to_cancel"
    TOO_MANY_REQUESTS = "too_many_requests"
    UNKNOWN_DOCUMENT_TYPE = "unknown_document_type"
    UNKNOWN_KIND = "unknown_kind"
    UNKNOWN_OFFICE = "unknown_office"
    UNKNOWN_OPTION = "unknown_option"
    WRONG_STATUS = "wrong_status"
