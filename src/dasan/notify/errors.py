"""Error codes of the notify app: the ``code`` of every error it raises (see core.errors.ErrorCode).

Clients rely on these; a code is never renamed, only added. The message that comes with a
code is written where it is raised, in the user's language.
"""

from dasan.core.errors import ErrorCode


class Code(ErrorCode):
    CHANNEL_DISABLED = "channel_disabled"
    INVALID_CATEGORY = "invalid_category"
    INVALID_TOKEN = "invalid_token"
    NO_ADDRESS = "no_address"
    NOT_FAILED = "not_failed"
    NOT_OPTED_IN = "not_opted_in"
    RECIPIENT_NOT_FOUND = "recipient_not_found"
    UNKNOWN_CHANNEL = "unknown_channel"
    UNKNOWN_TEMPLATE = "unknown_template"
