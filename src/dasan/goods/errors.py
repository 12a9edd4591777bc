"""Error codes of the goods app: the ``code`` of every error it raises (see core.errors.ErrorCode).

Clients rely on these; a code is never renamed, only added. The message that comes with a
code is written where it is raised, in the user's language.
"""

from dasan.core.errors import ErrorCode


class Code(ErrorCode):
    CANNOT_CANCEL = "cannot_cancel"
    EMPTY_ORDER = "empty_order"
    INVALID_DELIVERY = "invalid_delivery"
    INVALID_PRICE = "invalid_price"
    INVALID_QUANTITY = "invalid_quantity"
    INVALID_TRANSITION = "invalid_transition"
    LOGIN_REQUIRED = "login_required"
    MONTHLY_LIMIT = "monthly_limit"
    NUMBER_UNAVAILABLE = "number_unavailable"
    ORDER_NOT_FOUND = "order_not_found"
    OUT_OF_STOCK = "out_of_stock"
    REASON_REQUIRED = "reason_required"
    RESIDENTS_ONLY = "residents_only"
    STOCK_NEGATIVE = "stock_negative"
    UNKNOWN_PRODUCT = "unknown_product"
