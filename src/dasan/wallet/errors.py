"""Error codes of 이음 지갑 (see dasan.core.errors.ErrorCode): every code this app raises.
Clients rely on them; a code is never renamed, only added. Run `dasan error_codes >
docs/errors.md` after adding one."""

from dasan.core.errors import ErrorCode


class Code(ErrorCode):
    WALLET_AMOUNT_INVALID = "wallet_amount_invalid"
    WALLET_INSUFFICIENT_BALANCE = "wallet_insufficient_balance"
    WALLET_BUDGET_EXHAUSTED = "wallet_budget_exhausted"
    WALLET_KEY_REUSED = "wallet_key_reused"
    WALLET_PROGRAMME_CLOSED = "wallet_programme_closed"
    WALLET_NOT_ELIGIBLE = "wallet_not_eligible"
    WALLET_CODE_INVALID = "wallet_code_invalid"
    WALLET_CODE_USED = "wallet_code_used"
    WALLET_ALREADY_DECIDED = "wallet_already_decided"
    WALLET_BELOW_MINIMUM = "wallet_below_minimum"
    WALLET_ABOVE_MAXIMUM = "wallet_above_maximum"
    WALLET_NO_CARD = "wallet_no_card"
    WALLET_CARD_INVALID = "wallet_card_invalid"
    WALLET_CURRENCY_NOT_CONFIGURED = "wallet_currency_not_configured"
    WALLET_CSV_INVALID = "wallet_csv_invalid"
    WALLET_RESIDENT_UNKNOWN = "wallet_resident_unknown"
    WALLET_PROGRAMME_INVALID = "wallet_programme_invalid"
    WALLET_EVIDENCE_REQUIRED = "wallet_evidence_required"
