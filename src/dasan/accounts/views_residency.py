"""내 거주 확인 (the resident's residency pages): status, one question page (행정동 and date of
birth), check your answers, done. The answers wait in the session between the question and
the check page; nothing is stored before the resident confirms them.

Thin: the meaning of an answer (a date, a 행정동 on the city's list) is checked by
:mod:`dasan.accounts.residency`, whose message is shown next to the field.
"""

from __future__ import annotations

from datetime import date
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from dasan.core.errors import DasanError
from dasan.core.http import user_errors

from . import residency, selectors
from .forms import ResidencyForm

DRAFT = "accounts.residency_draft"
_FIELDS = {"dong_name": "dong", "dong_code": "dong", "birth_date": "birth_date"}


def resident_required(view):
    """Signed-in residents only (staff are refused: residency is a resident's own record)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not getattr(request.user, "is_resident", False):
            raise PermissionDenied(_("주민 계정으로 이용해 주세요."))
        return view(request, *args, **kwargs)

    return never_cache(wrapper)


@resident_required
@require_GET
def status(request):
    """내 거주 확인: where the declaration stands (확인 대기 / 확인됨 / 확인 불가 with the reason)."""
    return render(request, "accounts/residency.html", {"residency": selectors.residency_of(request.user)})


def _initial(request) -> dict:
    draft = request.session.get(DRAFT)
    if draft:
        return {"dong": draft["dong_code"] or draft["dong_name"], "birth_date": draft["birth_date"]}
    current = selectors.residency_of(request.user)
    if current is None:
        return {}
    return {"dong": current.dong_code or current.dong_name, "birth_date": current.birth_date.isoformat()}


def _clean(form, dongs) -> dict | None:
    """The draft answers, or None with each service message added to its field."""
    answers = {}
    for step in ("place", "birth"):
        try:
            if step == "place":
                value = form.cleaned_data["dong"]
                code, name = residency.clean_place(**({"dong_code": value} if dongs else {"dong_name": value}))
                answers.update(dong_code=code, dong_name=name)
            else:
                answers["birth_date"] = residency.parse_birth_date(form.cleaned_data["birth_date"]).isoformat()
        except DasanError as error:
            form.add_error(_FIELDS.get(error.details.get("field"), None), str(error.message))
    return None if form.errors else answers


@resident_required
@require_http_methods(["GET", "POST"])
def declare(request):
    """거주 신고: the 행정동 (from the city's list when it has one) and the date of birth."""
    dongs = selectors.dongs()
    form = ResidencyForm(request.POST or None, initial=_initial(request))
    if request.method == "POST":
        answers = _clean(form, dongs) if form.is_valid() else None
        if answers is None:
            return render(request, "accounts/residency_declare.html", {"form": form, "dongs": dongs}, status=400)
        request.session[DRAFT] = answers
        return redirect("accounts:residency_check")
    return render(request, "accounts/residency_declare.html", {"form": form, "dongs": dongs})


@resident_required
@require_http_methods(["GET", "POST"])
def check(request):
    """신고 내용 확인: the answers once more, each with a link to change it, then send."""
    draft = request.session.get(DRAFT)
    if not draft:  # nothing to check, or sent already (a second click): where it stands
        return redirect("accounts:residency" if request.method == "POST" else "accounts:residency_declare")
    if request.method == "POST":
        with user_errors(request) as outcome:
            residency.declare(
                request.user,
                birth_date=date.fromisoformat(draft["birth_date"]),
                dong_name=draft["dong_name"],
                dong_code=draft["dong_code"],
            )
        if not outcome.ok:
            return redirect("accounts:residency_declare")
        request.session.pop(DRAFT, None)
        return redirect("accounts:residency_done")
    return render(
        request,
        "accounts/residency_check.html",
        {"draft": draft, "birth_date": date.fromisoformat(draft["birth_date"])},
    )


@resident_required
@require_GET
def done(request):
    """신고 완료: confirmed at once (the resident list matched) or waiting for staff."""
    current = selectors.residency_of(request.user)
    if current is None:
        return redirect("accounts:residency")
    return render(request, "accounts/residency_done.html", {"residency": current})
