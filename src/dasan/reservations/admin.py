"""Back office: the places, resources with their rules, opening periods and hours,
closed dates and prices (the city edits these); reservations and penalties are read
only — they change through the resident and staff pages."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from dasan.core.audit import record_read

from .models import (
    ClosedDate,
    Group,
    OpeningHours,
    OpeningPeriod,
    Penalty,
    PriceDiscount,
    PriceRule,
    Reservation,
    Resource,
    Unit,
    WaitlistEntry,
)


class ResourceInline(admin.TabularInline):
    model = Resource
    extra = 0
    fields = ["name", "type", "capacity", "exclusive", "active"]
    show_change_link = True


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "address", "department", "phone", "active"]
    list_filter = ["department"]
    search_fields = ["name", "address"]
    inlines = [ResourceInline]


class ClosedDateInline(admin.TabularInline):
    model = ClosedDate
    extra = 0


class OpeningPeriodInline(admin.TabularInline):
    model = OpeningPeriod
    extra = 0
    show_change_link = True


class PriceRuleInline(admin.TabularInline):
    model = PriceRule
    extra = 0
    show_change_link = True


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "type", "capacity", "exclusive", "needs_approval", "active"]
    list_filter = ["type", "unit", "active", "needs_approval"]
    search_fields = ["name", "unit__name"]
    inlines = [OpeningPeriodInline, ClosedDateInline, PriceRuleInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "unit",
                    "type",
                    "name",
                    "description",
                    "accessibility",
                    "capacity",
                    "exclusive",
                    "active",
                    "position",
                ]
            },
        ),
        (
            _("예약 규칙"),
            {
                "fields": [
                    "slot_minutes",
                    "min_minutes",
                    "max_minutes",
                    "buffer_before_minutes",
                    "buffer_after_minutes",
                    "opens_days_ahead",
                    "closes_hours_before",
                    "max_active_per_resident",
                    "residents_only",
                    "groups_only",
                    "needs_approval",
                    "open_on_holidays",
                    "refund_rules",
                ]
            },
        ),
        (
            _("숙박·대여 (박·일 단위)"),
            {"fields": ["stay_unit", "check_in_time", "check_out_time", "min_stay", "max_stay"]},
        ),
    ]


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(OpeningPeriod)
class OpeningPeriodAdmin(admin.ModelAdmin):
    list_display = ["resource", "name", "valid_from", "valid_until"]
    inlines = [OpeningHoursInline]


class PriceDiscountInline(admin.TabularInline):
    model = PriceDiscount
    extra = 0


@admin.register(PriceRule)
class PriceRuleAdmin(admin.ModelAdmin):
    list_display = ["resource", "effective_from", "kind", "amount", "per_person"]
    inlines = [PriceDiscountInline]


@admin.register(Reservation)
class ReservationAdmin(admin.ModelAdmin):
    """Read only: reservations change through the services (pages, API, payments callbacks)."""

    list_display = ["code", "resource", "kind", "status", "begin", "end", "party_size", "price"]
    list_filter = ["status", "kind", "resource__unit"]
    date_hierarchy = "begin"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and obj.resident_id:
            record_read(request.user, obj, reason="admin")
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Penalty)
class PenaltyAdmin(admin.ModelAdmin):
    list_display = ["resident", "until", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(admin.ModelAdmin):
    """대기 신청: read only here; residents join, accept and cancel on their pages."""

    list_display = ["resource", "resident", "begin", "status", "offer_expires_at", "created_at"]
    list_filter = ["status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    """Groups are decided on the staff page (audited, the representative is told); the
    admin only lists them."""

    list_display = ["name", "representative", "members", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["name"]
    readonly_fields = [f.name for f in Group._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
