"""Error codes of the knowledge app: the ``code`` of every error it raises (see core.errors.ErrorCode).

Clients rely on these; a code is never renamed, only added. The message that comes with a
code is written where it is raised, in the user's language.
"""

from dasan.core.errors import ErrorCode


class Code(ErrorCode):
    KB_EXTRACT_FAILED = "kb_extract_failed"
    KB_FILE_MISSING = "kb_file_missing"
    KB_NO_FILE = "kb_no_file"
    KB_NOT_FAQ = "kb_not_faq"
    KB_SOURCE_NOT_FOUND = "kb_source_not_found"
