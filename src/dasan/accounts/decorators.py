"""View decorators for pages behind a sign-in."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.views.decorators.cache import never_cache

from .permissions import is_staff


def staff_required(view):
    """City staff only: anonymous visitors go to the staff sign-in, signed-in residents
    get 403. Staff pages carry residents' personal data, so they are never cached."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("accounts:staff_login"))
        if not is_staff(user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return never_cache(wrapper)
