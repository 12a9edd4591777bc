"""Error codes of the waste app: the ``code`` of every error it raises (see core.errors.ErrorCode).

Clients rely on these; a code is never renamed, only added. The message that comes with a
code is written where it is raised, in the user's language.
"""

from dasan.core.errors import ErrorCode


class Code(ErrorCode):
    ADDRESS_REQUIRED = "address_required"
    ADDRESS_TOO_LONG = "address_too_long"
    ADDRESS_UNRECOGNISED = "address_unrecognised"
    BOOKING_NOT_FOUND = "booking_not_found"
    CHANGE_CLOSED = "change_closed"
    DATE_TOO_FAR = "date_too_far"
    DAY_FULL = "day_full"
    INVALID_DATE = "invalid_date"
    INVALID_FILE = "invalid_file"
    INVALID_OUTCOME = "invalid_outcome"
    INVALID_QUANTITY = "invalid_quantity"
    LOGIN_REQUIRED = "login_required"
    NO_COLLECTION = "no_collection"
    NO_FEE_TABLE = "no_fee_table"
    NO_ITEMS = "no_items"
    NOT_CANCELLABLE = "not_cancellable"
    NOT_CHANGEABLE = "not_changeable"
    NOT_COLLECTABLE = "not_collectable"
    NOT_DUE = "not_due"
    NOTE_REQUIRED = "note_required"
    OUTSIDE_CITY = "outside_city"
    PAST_CUTOFF = "past_cutoff"
    PAST_DATE = "past_date"
    PAY_FIRST = "pay_first"
    PRICE_CHANGED = "price_changed"
    TOO_LATE = "too_late"
    TOO_MANY_ITEMS = "too_many_items"
    UNKNOWN_DISTRICT = "unknown_district"
    UNKNOWN_ITEM = "unknown_item"
    WRONG_DISTRICT = "wrong_district"
