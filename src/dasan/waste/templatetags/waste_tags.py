from django import template

register = template.Library()


@register.filter
def won(value) -> str:
    """12000 -> "12,000" (KRW amounts are whole numbers)."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return ""


@register.filter
def make_list_of(count) -> range:
    """``{% for _ in n|make_list_of %}``: one sticker per item."""
    try:
        return range(max(0, min(int(count), 50)))
    except (TypeError, ValueError):
        return range(0)
