"""Error codes of the payments app: the ``code`` of every error it raises (see core.errors.ErrorCode).

Clients rely on these; a code is never renamed, only added. The message that comes with a
code is written where it is raised, in the user's language.
"""

from dasan.core.errors import ErrorCode


class Code(ErrorCode):
    ALREADY_PAID = "already_paid"
    AMOUNT_MISMATCH = "amount_mismatch"
    INVALID_AMOUNT = "invalid_amount"
    INVALID_ORDER = "invalid_order"
    INVALID_REQUEST = "invalid_request"
    INVALID_SIGNATURE = "invalid_signature"
    NOT_PAID = "not_paid"
    ORDER_CANCELLED = "order_cancelled"
    ORDER_EXPIRED = "order_expired"
    ORDER_NOT_FOUND = "order_not_found"
    PAYMENT_FAILED = "payment_failed"
    PROVIDER_UNAVAILABLE = "provider_unavailable"
    REFUND_APPROVAL_CLOSED = "refund_approval_closed"
    REFUND_EXCEEDS_PAID = "refund_exceeds_paid"
    REFUND_NEEDS_SECOND_PERSON = "refund_needs_second_person"
    UNKNOWN_PROVIDER = "unknown_provider"
