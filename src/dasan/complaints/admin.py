"""Back office for complaints: the categories the city maintains (department,
period, keywords), answer templates, a read-only view of complaints with their
history (every opening audited), and the trained routing models.

Complaints are never edited or deleted here: the workflow belongs to the staff
workbench and its services. The two admin actions call the same services.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.template import engines
from django.utils.translation import gettext_lazy as _

from dasan.core import pii
from dasan.core.admin import AuditedAdmin
from dasan.core.audit import record_read
from dasan.core.http import user_errors
from dasan.core.models import Department

from . import deadlines, parking, selectors, services
from .models import (
    AnswerTemplate,
    Category,
    Complaint,
    ComplaintEvent,
    ComplaintPhoto,
    ParkingReport,
    RoutingModel,
    Status,
)


# --- categories -----------------------------------------------------------------------------------
@admin.register(Category)
class CategoryAdmin(AuditedAdmin):
    list_display = [
        "code",
        "name",
        "group",
        "kind",
        "form",
        "department",
        "period",
        "allows_anonymous",
        "requires_location",
        "is_active",
        "order",
    ]
    list_filter = [
        "is_active",
        "kind",
        "form",
        "group",
        "allows_anonymous",
        "requires_location",
        ("department", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["code", "name", "description", "keywords"]
    list_select_related = ["department"]
    autocomplete_fields = ["department"]
    ordering = ["order", "code"]
    fieldsets = [
        (None, {"fields": ["code", "name", "description", "group", "order", "is_active"]}),
        (
            _("처리"),
            {
                "fields": ["kind", "form", "department", ("period_value", "period_unit")],
                "description": _("처리기간을 비우면 민원 종류의 법정 처리기간을 씁니다."),
            },
        ),
        (_("신청"), {"fields": ["allows_anonymous", "requires_location"]}),
        (_("자동 분류"), {"fields": ["keywords"]}),
    ]

    @admin.display(description=_("처리기간"))
    def period(self, obj: Category) -> str:
        value, unit = deadlines.period_for(obj, obj.kind)
        text = deadlines.describe_period(value, unit)
        return text if obj.period_value is not None else _("%(period)s (기본)") % {"period": text}


# --- answer templates -----------------------------------------------------------------------------
@admin.register(AnswerTemplate)
class AnswerTemplateAdmin(AuditedAdmin):
    list_display = ["title", "department", "is_active"]
    list_filter = ["is_active", ("department", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "body"]
    autocomplete_fields = ["department"]


# --- complaints (read-mostly) ---------------------------------------------------------------------
class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(_ReadOnlyInline):
    model = ComplaintEvent
    fields = [
        "created_at",
        "kind",
        "actor",
        "from_status",
        "to_status",
        "from_department",
        "to_department",
        "reason",
        "internal",
    ]
    readonly_fields = fields
    ordering = ["created_at", "id"]
    verbose_name_plural = _("처리 이력")


class PhotoInline(_ReadOnlyInline):
    model = ComplaintPhoto
    fields = ["position", "width", "height", "taken_at", "sha256", "uploaded_by_staff"]
    readonly_fields = fields


class ParkingInline(admin.StackedInline):
    model = ParkingReport
    extra = 0
    can_delete = False
    fields = [
        "plate",
        "place",
        "observed_at",
        "first_photo_at",
        "second_photo_at",
        "consent_text",
        "signer_name",
        "signed_at",
        "content_hash",
        "hash_verified",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("해시 확인"), boolean=True)
    def hash_verified(self, obj: ParkingReport) -> bool:
        return parking.verify_parking_report(obj)


class ReassignForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("옮길 부서"),
        queryset=Department.objects.filter(is_active=True).order_by("code"),
    )
    reason = forms.CharField(label=_("사유"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


_REASSIGN_PAGE = """{% extends "admin/base_site.html" %}{% load i18n %}
{% block content %}
<form method="post">{% csrf_token %}
  <p>{% blocktranslate count counter=queryset|length %}민원 {{ counter }}건을 다른 부서로 옮깁니다.{% plural %}민원 {{ counter }}건을 다른 부서로 옮깁니다.{% endblocktranslate %}</p>
  <ul>{% for c in queryset %}<li>{{ c.number }} · {{ c.department|default:_("분류 대기") }}</li>{% endfor %}</ul>
  {% if error %}<p class="errornote">{{ error }}</p>{% endif %}
  {{ form.as_p }}
  {% for c in queryset %}<input type="hidden" name="_selected_action" value="{{ c.pk }}">{% endfor %}
  <input type="hidden" name="action" value="reassign_selected">
  <input type="submit" name="apply" value="{% translate '옮기기' %}">
</form>
{% endblock %}"""


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    """Read-only: complaints move through the workbench (services), not through this form."""

    list_display = [
        "number",
        "title",
        "category",
        "department",
        "status",
        "routing",
        "channel",
        "received_at",
        "due_at",
        "sla",
    ]
    list_filter = [
        "status",
        "channel",
        "kind",
        "routing",
        "is_anonymous",
        ("category", admin.RelatedOnlyFieldListFilter),
        ("department", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["number", "title"]
    date_hierarchy = "received_at"
    list_select_related = ["category", "department"]
    show_full_result_count = False
    actions = ["close_selected", "reassign_selected"]
    inlines = [ParkingInline, PhotoInline, EventInline]
    fieldsets = [
        (None, {"fields": ["number", "status", "title", "description", "kind", "category", "channel", "language"]}),
        (_("배정"), {"fields": ["department", "assignee", "routing", "suggested_category", "suggestion_confidence"]}),
        (_("기한"), {"fields": ["received_at", "due_at", "extended_count", "sla"]}),
        (_("신청인"), {"fields": ["is_anonymous", "applicant", "contact_preference", "filed_by"]}),
        (_("위치"), {"fields": ["address", "latitude", "longitude", "is_public"]}),
        (
            _("결과"),
            {
                "fields": [
                    "answer",
                    "answered_at",
                    "answered_by",
                    "closed_at",
                    "transferred_to",
                    "duplicate_of",
                    "satisfaction",
                    "satisfaction_comment",
                ]
            },
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [f for fieldset in self.fieldsets for f in fieldset[1]["fields"]]

    def get_queryset(self, request):
        # The same scope as the workbench: a department's staff see their department's complaints.
        return selectors.visible_complaints(request.user).select_related("category", "department")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=_("기한 상태"))
    def sla(self, obj: Complaint) -> str:
        labels = {"overdue": _("기한 지남"), "due_today": _("오늘 마감"), "ok": _("기한 안"), "done": _("끝남")}
        return labels.get(deadlines.sla_state(obj), "")

    @admin.display(description=_("신청인"))
    def applicant(self, obj: Complaint) -> str:
        if obj.is_anonymous:
            return str(_("익명"))
        name = obj.contact_name or (obj.resident.name if obj.resident_id else "")
        phone = obj.contact_phone or (obj.resident.phone if obj.resident_id else "") or ""
        email = obj.contact_email or (obj.resident.email if obj.resident_id else "")
        # Masked: the admin is for oversight; the workbench reveals contacts on purpose, audited.
        parts = [pii.mask_name(name), pii.mask(phone), pii.mask(email)]
        return " · ".join(p for p in parts if p) or "-"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            obj = self.get_object(request, object_id)
            if obj is not None:
                record_read(request.user, obj, reason="admin: complaints.complaint page")
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("선택한 답변 완료 민원 종결"))
    def close_selected(self, request, queryset: QuerySet[Complaint]):
        closed = 0
        skipped = queryset.exclude(status=Status.ANSWERED).count()
        for complaint in list(queryset.filter(status=Status.ANSWERED)):
            with user_errors(flash=False) as outcome:
                services.close(complaint, actor=request.user)
            if outcome.ok:
                closed += 1
            else:
                skipped += 1
        self.message_user(request, _("%(closed)d건을 종결했습니다.") % {"closed": closed}, messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                _("답변 완료 상태가 아닌 %(count)d건은 그대로 두었습니다.") % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(description=_("선택한 민원을 다른 부서로 옮기기"))
    def reassign_selected(self, request, queryset: QuerySet[Complaint]):
        error = ""
        if "apply" in request.POST:
            form = ReassignForm(request.POST)
            if form.is_valid():
                with user_errors(flash=False) as outcome:
                    moved = services.bulk_reassign(
                        list(queryset.values_list("number", flat=True)),
                        department=form.cleaned_data["department"],
                        actor=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                error = outcome.message
                if outcome.ok:
                    self.message_user(
                        request,
                        _("%(count)d건을 %(department)s(으)로 옮겼습니다.")
                        % {"count": moved, "department": form.cleaned_data["department"].name},
                        messages.SUCCESS,
                    )
                    return None
        else:
            form = ReassignForm()
        context = {
            **self.admin_site.each_context(request),
            "title": _("다른 부서로 옮기기"),
            "queryset": list(queryset.select_related("department")),
            "form": form,
            "error": error,
            "opts": self.model._meta,
        }
        page = engines["django"].from_string(_REASSIGN_PAGE)
        return HttpResponse(page.render(context, request))


# --- routing models -------------------------------------------------------------------------------
@admin.register(RoutingModel)
class RoutingModelAdmin(admin.ModelAdmin):
    """Read-only: models are trained by ``dasan complaints train`` and the scheduled job."""

    list_display = ["created_at", "algorithm", "samples", "labels", "is_active", "accuracy"]
    list_filter = ["is_active", "algorithm"]
    fields = ["created_at", "algorithm", "samples", "labels", "metrics", "is_active"]
    readonly_fields = fields

    @admin.display(description=_("정확도"))
    def accuracy(self, obj: RoutingModel) -> str:
        metrics = obj.metrics or {}
        for key in ("accuracy", "macro_f1", "f1"):
            if isinstance(metrics.get(key), (int, float)):
                return f"{key} {metrics[key]:.3f}"
        return "-"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
