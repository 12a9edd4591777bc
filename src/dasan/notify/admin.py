"""Back office: templates (an edit saves a new version), the outbox and its attempts."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.template import TemplateSyntaxError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dasan.core import audit
from dasan.core.http import user_errors
from dasan.core.pii import mask

from . import services, templates
from .models import DeliveryAttempt, Message, Status, Template


class TemplateForm(forms.ModelForm):
    class Meta:
        model = Template
        fields = ["key", "language", "category", "subject", "body"]

    def clean(self):
        data = super().clean()
        try:
            templates.validate_text(data.get("subject") or "", data.get("body") or "")
        except TemplateSyntaxError as exc:
            raise forms.ValidationError(
                _("문구의 템플릿 문법이 올바르지 않습니다: %(error)s"), params={"error": exc}
            ) from exc
        return data

    def validate_unique(self):
        # The version is assigned when saving (a new row each time), not by the form.
        pass


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    form = TemplateForm
    list_display = ["key", "language", "version", "category", "active", "origin", "created_at"]
    list_filter = ["active", "language", "category", "origin"]
    search_fields = ["key", "subject", "body"]
    ordering = ["key", "language", "-version"]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["version", "active", "origin", "created_at", "created_by"]
        return readonly + (["key", "language"] if obj else [])

    def save_model(self, request, obj, form, change):
        """Never change a stored version: save the edit as a new, active version."""
        base = (
            Template.objects.get(pk=obj.pk)
            if change
            else Template(key=obj.key, language=obj.language, category=obj.category)
        )
        new = templates.save_new_version(
            base, subject=obj.subject, body=obj.body, category=obj.category, user=request.user
        )
        obj.pk = new.pk
        obj.refresh_from_db()
        if change:
            messages.info(
                request,
                _("%(key)s 문구를 새 버전 %(version)s(으)로 저장했습니다.") % {"key": new.key, "version": new.version},
            )

    def has_delete_permission(self, request, obj=None):
        return False  # messages point to versions


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ["at", "outcome", "error", "duration"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "template_key",
        "channel",
        "masked_to",
        "status",
        "attempts",
        "category",
        "department",
    ]
    list_filter = ["status", "channel", "category", "language", "created_at"]
    search_fields = ["reference", "template_key", "provider_ref"]
    date_hierarchy = "created_at"
    inlines = [DeliveryAttemptInline]
    actions = ["resend_failed"]
    list_select_related = ["department"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Message._meta.fields]

    @admin.display(description=_("수신 주소"))
    def masked_to(self, obj):
        return mask(obj.to)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        message = Message.objects.filter(pk=object_id).select_related("recipient").first()
        if message is not None and message.recipient_id and getattr(response, "status_code", 200) == 200:
            # A message holds a resident's contact details and text: staff reads are audited.
            audit.record_read(request.user, message.recipient, reason=f"notify.message:{message.pk}")
        return response

    @admin.action(description=_("실패한 알림 다시 보내기"))
    def resend_failed(self, request, queryset):
        sent = 0
        for message in queryset.filter(
            status__in=[Status.PERMANENT_FAILURE, Status.TEMPORARY_FAILURE, Status.CANCELLED]
        ):
            with user_errors(flash=False) as outcome:
                services.resend(message, actor=request.user)
            if outcome.ok:
                sent += 1
            else:
                self.message_user(request, outcome.message, level=messages.WARNING)
        self.message_user(
            request,
            ngettext("%(count)d건을 다시 보냈습니다.", "%(count)d건을 다시 보냈습니다.", sent) % {"count": sent},
        )
