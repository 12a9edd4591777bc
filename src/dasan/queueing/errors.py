"""Error codes of the queueing app: the ``code`` of every error it raises (see core.errors.ErrorCode).

Clients rely on these; a code is never renamed, only added. The message that comes with a
code is written where it is raised, in the user's language.
"""

from dasan.core.errors import ErrorCode


class Code(ErrorCode):
    ALREADY_WAITING = "already_waiting"
    COUNTER_BUSY = "counter_busy"
    INVALID_OUTCOME = "invalid_outcome"
    INVALID_PHONE = "invalid_phone"
    NOT_WAITING = "not_waiting"
    NOTHING_CALLED = "nothing_called"
    OFFICE_CLOSED = "office_closed"
    SERVICE_NOT_OFFERED = "service_not_offered"
    TRANSFER_TARGET = "transfer_target"
    UNKNOWN_COUNTER = "unknown_counter"
    UNKNOWN_OFFICE = "unknown_office"
    UNKNOWN_SERVICE = "unknown_service"
    UNKNOWN_TICKET = "unknown_ticket"
