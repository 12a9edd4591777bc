"""거주 확인 업무 (staff pages, mounted at /staff/residency/): the queue of declarations waiting
for confirmation (masked names, oldest first, paginated), one declaration with confirm (proof
or visit) and refuse with a reason, and the resident list upload.

Every view is ``staff_required``; the selectors and services check the capability again
(``accounts.change_residency`` for the queue, ``accounts.add_rosterimport`` for the upload;
city-wide staff hold both). Each declaration shown is a read of personal data, audited.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dasan.core import audit
from dasan.core.conf import setting
from dasan.core.http import user_errors
from dasan.core.pii import mask_name

from . import residency, roster, selectors
from .decorators import staff_required
from .forms import RejectForm, RosterUploadForm
from .models import ResidencyMethod, ResidencyStatus
from .permissions import ROSTER_PERMISSION, can_import_roster, require_holds

PAGE_SIZE = 30


@staff_required
@require_GET
def queue(request):
    """확인 대기 목록: declarations waiting for a clerk, oldest first."""
    page = Paginator(selectors.residency_queue(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for item in page:
        audit.record_read(request.user, item, reason=_("거주 확인 대기 목록"))
        item.masked_name = mask_name(item.user.name) or "-"
    return render(
        request,
        "accounts/staff/residency_queue.html",
        {"page": page, "last_import": selectors.last_roster_import(), "may_import": can_import_roster(request.user)},
    )


@staff_required
@require_GET
def detail(request, pk: int):
    """One declaration: who, where, born when; confirm or refuse."""
    item = selectors.residency_for_staff(request.user, pk, reason=_("거주 확인 처리"))
    return render(
        request,
        "accounts/staff/residency_detail.html",
        {
            "item": item,
            "masked_phone": selectors.masked_phone(item.user.phone),
            "methods": [(m.value, m.label) for m in (ResidencyMethod.PROOF, ResidencyMethod.VISIT)],
            "pending": item.status == ResidencyStatus.DECLARED,
            "reject_form": RejectForm(),
        },
    )


@staff_required
@require_POST
def decide(request, pk: int, action: str):
    """확인 (``verify``, with ``method`` proof or visit) or 확인 불가 (``reject``, with ``reason``)."""
    with user_errors(request) as outcome:
        item = selectors.residency_for_staff(request.user, pk, reason=_("거주 확인 처리"))
        if action == "verify":
            residency.verify(item, actor=request.user, method=request.POST.get("method", ""))
        elif action == "reject":
            residency.reject(item, actor=request.user, reason=request.POST.get("reason", ""))
        else:
            return redirect("residency_staff:detail", pk=pk)
    if not outcome.ok:
        return redirect("residency_staff:detail", pk=pk)
    done = _("거주를 확인했습니다.") if action == "verify" else _("확인 불가로 처리했습니다.")
    messages.success(request, f"{mask_name(item.user.name) or '-'}: {done}")
    return redirect("residency_staff:queue")


@staff_required
@require_http_methods(["GET", "POST"])
def roster_upload(request):
    """주민 명부 반입: upload a CSV; a line-numbered report; nothing changes while it has errors."""
    require_holds(request.user, ROSTER_PERMISSION)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    context = {"form": form, "last_import": selectors.last_roster_import(), "report": None}
    if request.method != "POST":
        return render(request, "accounts/staff/roster_upload.html", context)
    limit = setting("RESIDENCY_ROSTER_MAX_MB") * 1024 * 1024
    if form.is_valid() and form.cleaned_data["file"].size > limit:
        form.add_error("file", _("파일이 너무 큽니다. 명령 `dasan residents import`로 반입해 주세요."))
    if not form.is_valid():
        return render(request, "accounts/staff/roster_upload.html", context, status=400)
    upload = form.cleaned_data["file"]
    with user_errors(flash=False) as outcome:
        context["report"] = roster.import_roster(
            upload.read(),
            actor=request.user,
            file_name=upload.name,
            skip_invalid=form.cleaned_data["skip_invalid"],
        )
    if outcome.error:
        form.add_error("file", outcome.message)
        return render(request, "accounts/staff/roster_upload.html", context, status=outcome.status)
    report = context["report"]
    return render(request, "accounts/staff/roster_upload.html", context, status=200 if report.imported else 400)
