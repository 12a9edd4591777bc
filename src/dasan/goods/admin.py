"""Back office for what the city maintains: products and their price table. Stock is
changed only through the staff stock page (adjustments are audited), so it is read-only here."""

from django.contrib import admin

from .models import Order, Price, Product


class PriceInline(admin.TabularInline):
    model = Price
    extra = 1


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "department", "stock", "monthly_limit", "is_active", "position")
    list_filter = ("kind", "department", "is_active")
    readonly_fields = ("stock",)
    inlines = [PriceInline]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("number", "status", "total_amount", "created_at")
    list_filter = ("status",)
    search_fields = ("number",)
    fields = ("number", "status", "total_amount", "payment_order", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
