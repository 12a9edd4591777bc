"""Back office: the fee tables (read here, imported from the standard CSV), districts
with their crew days and capacity (the city edits them), and bookings (read only)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from dasan.core.audit import record_read

from .fees import export_fees
from .models import Booking, BookingLine, Crew, District, FeeTable, Item, Street, Variant


class VariantForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        # Naming a variant imported without its 규격 settles it (unless staff tick it again).
        if self.instance.pk and "spec" in self.changed_data and "needs_name" not in self.changed_data:
            data["needs_name"] = False
        return data


class VariantInline(admin.TabularInline):
    model = Variant
    form = VariantForm
    extra = 0


@admin.register(FeeTable)
class FeeTableAdmin(admin.ModelAdmin):
    list_display = ["effective_from", "sido", "sigungu", "agency"]
    actions = ["export_csv"]

    @admin.action(description=_("표준데이터 CSV로 내보내기"))
    def export_csv(self, request, queryset):
        table = queryset.order_by("-effective_from").first()
        response = HttpResponse(export_fees(table), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="waste-fees-{table.effective_from}.csv"'
        return response


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "table"]
    list_filter = ["table", "category", ("variants__needs_name", admin.BooleanFieldListFilter)]
    search_fields = ["name"]
    inlines = [VariantInline]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "department", "weekdays", "daily_capacity", "active"]
    list_filter = ["department"]


class BookingLineInline(admin.TabularInline):
    model = BookingLine
    extra = 0
    can_delete = False
    readonly_fields = ["item_name", "spec", "unit_fee", "quantity", "amount"]
    exclude = ["variant"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Read only: bookings change through the resident pages and the payments callbacks."""

    list_display = ["number", "district", "collection_date", "status", "total_fee", "created_at"]
    list_filter = ["status", "district", "collection_date"]
    search_fields = ["number", "order_id"]
    inlines = [BookingLineInline]
    exclude = ["idempotency_key", "address"]
    readonly_fields = [
        "number",
        "resident",
        "district",
        "placement",
        "collection_date",
        "status",
        "total_fee",
        "item_count",
        "fee_table",
        "order_id",
        "refunded_amount",
        "created_at",
        "confirmed_at",
        "cancelled_at",
    ]

    def has_add_permission(self, request):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        booking = self.get_object(request, object_id)
        if booking is not None:  # a staff read of a resident's booking is audited
            record_read(request.user, booking, reason="waste.admin")
        return super().change_view(request, object_id, form_url, extra_context)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Crew)
class CrewAdmin(admin.ModelAdmin):
    list_display = ["name", "vehicle", "phone", "active"]
    filter_horizontal = ["districts", "members"]


@admin.register(Street)
class StreetAdmin(admin.ModelAdmin):
    list_display = ["name", "first_number", "last_number", "district"]
    list_filter = ["district"]
    search_fields = ["name"]
