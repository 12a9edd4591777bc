"""Error codes of 주민참여예산 (see dasan.core.errors.ErrorCode): every code this app raises.
Clients rely on them; a code is never renamed, only added. Run `dasan error_codes >
docs/errors.md` after adding one."""

from dasan.core.errors import ErrorCode


class Code(ErrorCode):
    NOT_READY = "not_ready"
    # Phases
    OUTSIDE_PHASE = "outside_phase"
    VOTING_CLOSED = "voting_closed"
    # Who may take part
    SIGN_IN_REQUIRED = "sign_in_required"
    NOT_RESIDENT = "not_resident"
    UNDER_AGE = "under_age"
    WRONG_DONG = "wrong_dong"
    # Proposals
    INVALID_PROPOSAL = "invalid_proposal"
    NOT_EDITABLE = "not_editable"
    NOT_AUTHOR = "not_author"
    ALREADY_ENDORSED = "already_endorsed"
    INVALID_STATE = "invalid_state"
    REASON_REQUIRED = "reason_required"
    # Ballots
    EMPTY_BALLOT = "empty_ballot"
    NOT_ON_BALLOT = "not_on_ballot"
    OVER_BUDGET = "over_budget"
    TOO_MANY_CHOICES = "too_many_choices"
    TOO_MANY_POINTS = "too_many_points"
    INVALID_POINTS = "invalid_points"
    VOTED_OFFLINE = "voted_offline"
    ALREADY_VOTED = "already_voted"
    SAME_STAFF = "same_staff"
    ENTRY_MISMATCH = "entry_mismatch"
    ENTRY_DONE = "entry_done"
    # Results
    RESULTS_NOT_READY = "results_not_ready"
