"""Serve each signed-in person in the language they chose (User.language)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

_CODES = {code for code, _name in settings.LANGUAGES}


class ActivateUserLanguageMiddleware:
    """Runs after AuthenticationMiddleware and LocaleMiddleware: a signed-in user's
    saved language wins over the browser's Accept-Language and the language cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = getattr(user, "language", "") or ""
            if language in _CODES:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
