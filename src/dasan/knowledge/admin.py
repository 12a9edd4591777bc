"""Back office for knowledge sources: edit, publish, re-ingest; chunks shown read-only.

Saving never embeds in the request: services schedule a background ingestion.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dasan.core.errors import DasanError

from . import extract, services
from .models import Kind, Source, SourceChunk, Status


class SourceForm(forms.ModelForm):
    class Meta:
        model = Source
        fields = "__all__"

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload and getattr(upload, "name", ""):
            try:
                fmt = extract.format_of(upload.name)
            except DasanError as exc:
                raise forms.ValidationError(exc.message) from exc
            if data.get("kind") == Kind.FAQ and fmt not in extract.FAQ_FORMATS:
                self.add_error("file", _("FAQ 표에는 CSV나 XLSX 파일을 올려 주세요."))
        return data


class SourceChunkInline(admin.TabularInline):
    model = SourceChunk
    fields = ["position", "title_path", "topic", "text"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    ordering = ["position"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    form = SourceForm
    list_display = [
        "title",
        "kind",
        "audience",
        "language",
        "status",
        "department",
        "valid_until",
        "updated_at",
        "last_ingested_at",
        "has_error",
    ]
    list_filter = ["status", "kind", "audience", "language", "department"]
    search_fields = ["title", "body", "origin"]
    prepopulated_fields = {}
    readonly_fields = ["content_hash", "last_ingested_at", "ingest_error", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "status", "body", "file"]}),
        (
            _("대상과 기간"),
            {"fields": ["department", "audience", "language", "translation_of", "valid_from", "valid_until"]},
        ),
        (
            _("색인"),
            {"fields": ["origin", "content_hash", "last_ingested_at", "ingest_error", "created_at", "updated_at"]},
        ),
    ]
    inlines = [SourceChunkInline]
    actions = ["publish_selected", "unpublish_selected", "reingest_selected"]

    @admin.display(boolean=True, description=_("색인 오류"))
    def has_error(self, obj):
        return bool(obj.ingest_error)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.save_source(obj, actor=request.user, created=not change)
        messages.info(request, _("변경 내용은 잠시 뒤 검색에 반영됩니다."))

    def delete_model(self, request, obj):
        services.delete_source(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.delete_source(obj, actor=request.user)

    @admin.action(description=_("선택한 원문 게시"))
    def publish_selected(self, request, queryset):
        n = 0
        for source in queryset.exclude(status=Status.PUBLISHED):
            services.publish(source, actor=request.user)
            n += 1
        self.message_user(request, ngettext("%(n)d건을 게시했습니다.", "%(n)d건을 게시했습니다.", n) % {"n": n})

    @admin.action(description=_("선택한 원문 게시 중단"))
    def unpublish_selected(self, request, queryset):
        n = 0
        for source in queryset.filter(status=Status.PUBLISHED):
            services.unpublish(source, actor=request.user)
            n += 1
        self.message_user(
            request, ngettext("%(n)d건의 게시를 중단했습니다.", "%(n)d건의 게시를 중단했습니다.", n) % {"n": n}
        )

    @admin.action(description=_("선택한 원문 다시 색인"))
    def reingest_selected(self, request, queryset):
        n = 0
        for source in queryset:
            services.schedule_ingest(source)
            n += 1
        self.message_user(
            request,
            ngettext("%(n)d건을 다시 색인하도록 예약했습니다.", "%(n)d건을 다시 색인하도록 예약했습니다.", n)
            % {"n": n},
        )
