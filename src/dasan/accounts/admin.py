"""Back office for accounts: residents and staff, API tokens.

Staff sign in to the admin through /accounts/staff/login/ (password + TOTP); the
admin's own password-only login page redirects there.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from dasan.core.audit import record_read
from dasan.core.errors import DasanError

from . import selectors, services
from .models import APIToken, Kind, User


# --- TOTP for the admin too ------------------------------------------------------------------
def _admin_login(request, extra_context=None):
    """Send /admin/login/ to the staff sign-in (password + TOTP)."""
    target = reverse("accounts:staff_login")
    next_url = request.GET.get("next") or reverse("admin:index")
    return HttpResponseRedirect(f"{target}?{urlencode({'next': next_url})}")


admin.site.login = _admin_login


# --- users ----------------------------------------------------------------------------------
class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("username", "kind", "name", "phone", "role", "department", "language")

    def clean_phone(self):
        phone = self.cleaned_data.get("phone")
        if not phone:
            return None
        try:
            return selectors.normalize_phone(phone)
        except DasanError as error:
            raise forms.ValidationError(str(error.message)) from error

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == Kind.RESIDENT and not cleaned.get("phone"):
            self.add_error("phone", _("주민 계정에는 휴대전화 번호가 필요합니다."))
        if kind == Kind.RESIDENT and cleaned.get("role"):
            self.add_error("role", _("역할은 공무원에게만 지정합니다."))
        if kind == Kind.STAFF and not cleaned.get("role"):
            self.add_error("role", _("공무원의 역할을 선택해 주세요."))
        return cleaned


class UserChangeForm(forms.ModelForm):
    class Meta:
        model = User
        fields = "__all__"


class KindFilter(admin.SimpleListFilter):
    title = _("구분")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return Kind.choices

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = (
        "username",
        "name",
        "kind",
        "role",
        "department",
        "phone_masked",
        "is_active",
        "totp_enrolled",
        "date_joined",
    )
    list_filter = (KindFilter, "role", "department", "is_active", "language")
    search_fields = ("username", "name", "phone", "email")
    ordering = ("kind", "username")
    readonly_fields = ("last_login", "date_joined", "promo_opt_in_at", "totp_enrolled")
    fieldsets = (
        (None, {"fields": ("username", "password", "kind", "name", "phone", "email", "language")}),
        (_("공무원"), {"fields": ("department", "role", "totp_enrolled")}),
        (_("알림 수신"), {"fields": ("promo_opt_in", "promo_opt_in_at")}),
        (_("권한"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("기록"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "kind",
                    "name",
                    "phone",
                    "role",
                    "department",
                    "language",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    actions = ["reset_totp_action"]

    @admin.display(description=_("휴대전화"))
    def phone_masked(self, obj):
        return selectors.masked_phone(obj.phone)

    @admin.display(description=_("OTP 등록"), boolean=True)
    def totp_enrolled(self, obj):
        return bool(obj.totp_confirmed_at)

    @admin.action(description=_("선택한 공무원의 OTP 초기화"))
    def reset_totp_action(self, request, queryset):
        count = 0
        for user in queryset.filter(kind=Kind.STAFF):
            services.reset_totp(user, actor=request.user)
            count += 1
        self.message_user(
            request, _("%(count)d명의 OTP를 초기화했습니다. 다음 로그인 때 다시 등록합니다.") % {"count": count}
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            obj = self.get_object(request, object_id)
            if obj is not None and obj.kind == Kind.RESIDENT:
                record_read(request.user, obj, reason="admin: accounts.user change page")
        return super().change_view(request, object_id, form_url, extra_context)


# --- API tokens -------------------------------------------------------------------------------
class APITokenForm(forms.ModelForm):
    class Meta:
        model = APIToken
        fields = ("name", "owner")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "owner" in self.fields:
            self.fields["owner"].queryset = selectors.active_staff()


@admin.register(APIToken)
class APITokenAdmin(admin.ModelAdmin):
    form = APITokenForm
    list_display = ("name", "owner", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "owner__username")
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke_action"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ("name", "owner", *self.readonly_fields)
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return  # tokens are not edited; revoke and issue a new one
        plain = services.issue_api_token(form.cleaned_data["owner"], form.cleaned_data["name"], actor=request.user)
        created = selectors.token_for_plain(plain)
        obj.pk = created.pk
        obj.prefix = created.prefix
        obj.token_hash = created.token_hash
        obj.created_at = created.created_at
        obj._state.adding = False
        obj._state.db = created._state.db
        messages.warning(
            request,
            _("새 토큰: %(token)s — 지금 한 번만 표시됩니다. 안전한 곳에 복사해 두세요.") % {"token": plain},
        )

    @admin.action(description=_("선택한 토큰 폐기"))
    def revoke_action(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            services.revoke_api_token(token, actor=request.user)
        self.message_user(request, _("선택한 토큰을 폐기했습니다."))

    def has_delete_permission(self, request, obj=None):
        # Keep the row as a record of who had access; revoking is the way to end it.
        return False
