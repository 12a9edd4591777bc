"""`dasan error_codes`: the error codes clients may see, app by app, as Markdown.

``docs/errors.md`` is this command's output (a test keeps them equal); the OpenAPI document
lists the same codes under ``info.x-error-codes``.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from dasan.core.appconfig import error_enums

HEADER = """# Error codes

Every error of the API answers `{"error": {"code": "...", "message": "..."}}`; the `code`
is stable (never renamed, only added), the `message` is in the request's language. Pages
show the message. Each app lists its codes in `src/dasan/<app>/errors.py`; this file is
generated from them by `dasan error_codes > docs/errors.md` (a test fails when it is stale).
The HTTP status comes with the error where it is raised: 400 unless the code says otherwise
(`not_found` 404, `forbidden`/`staff_only` 403, conflicts 409, `rate_limited` 429).

The API adds its own, for requests that never reach an app: `not_authenticated` (401),
`invalid_input` (422, with the fields), `method_not_allowed` (405),
`unsupported_media_type` (415) and `server_error` (500). Before any view, every request
passes `core.guard`: `control_characters` (400), `body_too_deep` (400), `malformed_body`
(400) and `request_too_large` (413), in the same envelope under `/api/` and for JSON.
"""


def markdown() -> str:
    lines = [HEADER]
    for label, enum in error_enums().items():
        lines.append(f"## {label}\n")
        lines.append(", ".join(f"`{member.value}`" for member in enum) + "\n")
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Print every app's error codes as Markdown (docs/errors.md)."

    def handle(self, *args, **options):
        self.stdout.write(markdown(), ending="")
