"""Back office for the city's own data: its profile, departments, temporary
holidays, and a read-only view of the audit log. Every change made here is
itself written to the audit log."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from dasan.core import audit
from dasan.core.models import AuditEvent, Department, Municipality, TemporaryHoliday


class AuditedAdmin(admin.ModelAdmin):
    """Records an audit event for every add, change and delete made in the admin."""

    def _action(self, verb: str) -> str:
        meta = self.model._meta
        return f"{meta.app_label}.{meta.model_name}.{verb}"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changed = list(form.changed_data) if form is not None else []
        audit.record(
            self._action("change" if change else "create"),
            actor=request.user,
            target=obj,
            data={"changed": changed, "via": "admin"},
            request=request,
        )

    def delete_model(self, request, obj):
        # Record before deleting: afterwards the pk is gone.
        audit.record(self._action("delete"), actor=request.user, target=obj, data={"via": "admin"}, request=request)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit.record(self._action("delete"), actor=request.user, target=obj, data={"via": "admin"}, request=request)
        super().delete_queryset(request, queryset)


@admin.register(Municipality)
class MunicipalityAdmin(AuditedAdmin):
    # A city's site is on HTTPS; a bare "www.example.go.kr" is read that way.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "region_code", "phone", "work_start", "work_end"]
    fieldsets = [
        (None, {"fields": ["name", "name_en", "region_code", "time_zone"]}),
        (_("연락처"), {"fields": ["phone", "email", "address", "website"]}),
        (_("업무 시간"), {"fields": ["work_start", "work_end", "lunch_start", "lunch_end"]}),
    ]

    def has_add_permission(self, request):
        # The installation serves exactly one city.
        return super().has_add_permission(request) and not Municipality.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ["code", "name", "parent", "phone", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "phone"]
    autocomplete_fields = ["parent"]
    ordering = ["code"]


@admin.register(TemporaryHoliday)
class TemporaryHolidayAdmin(AuditedAdmin):
    list_display = ["date", "name", "reason"]
    date_hierarchy = "date"
    search_fields = ["name", "reason"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log can be searched, never edited."""

    list_display = ["at", "actor_label", "action", "target_type", "target_id", "target_label", "ip"]
    list_filter = ["action", ("actor", admin.RelatedOnlyFieldListFilter), "at"]
    date_hierarchy = "at"
    search_fields = ["action", "actor_label", "target_type", "target_id", "target_label", "reason", "ip"]
    list_select_related = ["actor"]
    show_full_result_count = False  # COUNT(*) over a large audit table is slow
    fields = [
        "at",
        "actor",
        "actor_label",
        "action",
        "target_type",
        "target_id",
        "target_label",
        "ip",
        "user_agent",
        "reason",
        "data",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
