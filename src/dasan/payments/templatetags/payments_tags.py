"""Template helpers for money: ``{{ amount|comma }}`` writes 15000 as 15,000."""

from django import template

register = template.Library()


@register.filter
def comma(value) -> str:
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return ""
