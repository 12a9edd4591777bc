"""Error codes of the assistant app: the ``code`` of every error it raises (see core.errors.ErrorCode).

Clients rely on these; a code is never renamed, only added. The message that comes with a
code is written where it is raised, in the user's language.
"""

from dasan.core.errors import ErrorCode


class Code(ErrorCode):
    CHANNEL_INVALID = "channel_invalid"
    COMMENT_TOO_LONG = "comment_too_long"
    CONVERSATION_FORBIDDEN = "conversation_forbidden"
    CONVERSATION_NOT_FOUND = "conversation_not_found"
    KAKAO_SKILL_SECRET_MISSING = "kakao_skill_secret_missing"
    QUESTION_EMPTY = "question_empty"
    QUESTION_TOO_LONG = "question_too_long"
    TURN_FORBIDDEN = "turn_forbidden"
    TURN_NOT_FOUND = "turn_not_found"
    VOICE_BUSY = "voice_busy"
    VOICE_EMPTY = "voice_empty"
    VOICE_LANGUAGE_UNSUPPORTED = "voice_language_unsupported"
    VOICE_MISSING = "voice_missing"
    VOICE_NO_SPEECH = "voice_no_speech"
    VOICE_TIMEOUT = "voice_timeout"
    VOICE_TOO_LARGE = "voice_too_large"
    VOICE_TOO_LONG = "voice_too_long"
    VOICE_UNAVAILABLE = "voice_unavailable"
    VOICE_UNDECODABLE = "voice_undecodable"
    VOICE_UNSUPPORTED_FORMAT = "voice_unsupported_format"
