"""Authentication for django-ninja endpoints: a browser session or an API token.

Use ``auth=session_or_token`` on an operation or a router. A bearer token
(``Authorization: Bearer dsn_...``) is tried first; otherwise the Django session,
with Django's CSRF check for unsafe methods (POST, PATCH, PUT, DELETE).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from dasan.accounts.errors import Code


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>`` checked against APIToken hashes."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str):
        from .services import authenticate_api_token

        user = authenticate_api_token(token)
        if user is not None:
            request.user = user
            request.api_token = True
        return user


class SessionCsrfAuth(APIKeyCookie):
    """The signed-in Django session; CSRF is checked only when a session is used,
    so an anonymous request gets 401 rather than a CSRF 403."""

    param_name = "sessionid"

    def __init__(self) -> None:
        from django.conf import settings

        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE") and not getattr(
            request, "_ninja_csrf_exempt", False
        ):
            if check_csrf(request):
                from dasan.core.errors import PermissionDenied

                raise PermissionDenied(
                    Code.CSRF_FAILED, _("보안 확인(CSRF)에 실패했습니다. 페이지를 새로 고친 뒤 다시 시도해 주세요.")
                )
        return user


token_auth = TokenAuth()
session_auth = SessionCsrfAuth()
session_or_token = [token_auth, session_auth]
