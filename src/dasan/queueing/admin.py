from django.contrib import admin

from .models import Counter, Office, ServiceType, Ticket


class CounterInline(admin.TabularInline):
    model = Counter
    extra = 0
    filter_horizontal = ["service_types"]


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "opens", "cutoff", "closes", "is_active"]
    inlines = [CounterInline]


@admin.register(ServiceType)
class ServiceTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "prefix", "default_minutes", "position"]


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read only: tickets change at the counter (audited), never here."""

    list_display = ["number", "office", "service_type", "issued_on", "status", "counter", "issued_at", "called_at"]
    list_filter = ["office", "status", "issued_on"]
    # The phone number is never shown here: it is only for the "your turn" text.
    exclude = ["phone"]
    readonly_fields = [f.name for f in Ticket._meta.fields if f.name != "phone"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
