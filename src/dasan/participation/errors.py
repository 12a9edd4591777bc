"""Error codes of 주민참여예산 (see dasan.core.errors.ErrorCode): every code this app raises.
Clients rely on them; a code is never renamed, only added. Run `dasan error_codes >
docs/errors.md` after adding one."""

from dasan.core.errors import ErrorCode


class Code(ErrorCode):
    NOT_READY = "not_ready"
