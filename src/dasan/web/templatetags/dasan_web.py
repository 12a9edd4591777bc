"""Template helpers of the web shell."""

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dasan.core import catalog

register = template.Library()


@register.simple_tag(takes_context=True)
def city_name(context) -> str:
    """The city's name for the header: its English name for non-Korean readers
    when the city gave one, and "다산" before the city profile exists."""
    municipality = context.get("municipality")
    if not municipality:
        return _("다산")
    language = (get_language() or "ko").split("-")[0]
    if language != "ko" and getattr(municipality, "name_en", ""):
        return municipality.name_en
    return municipality.name


@register.simple_tag(takes_context=True)
def staff_services(context) -> list:
    """The staff services the signed-in user may open (for the workbench's side navigation)."""
    request = context.get("request")
    return catalog.services("staff", getattr(request, "user", None))
