"""GeoReport v2 XML: the same dictionaries the JSON answers are made of, written as
the element trees the spec shows (``<services><service>…``, ``<errors><error>…``).

Lists inside an object become a wrapper element with one child per item, named by
:data:`ITEM_NAMES` (``attributes`` → ``<attribute>``, ``values`` → ``<value>``).
``None`` is an empty element, booleans are ``true``/``false``, numbers their
decimal text. Every document starts with the XML declaration naming UTF-8, as
the spec's encoding section asks.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, SubElement, tostring

__all__ = ["render", "clean_text", "ITEM_NAMES"]

#: Child element name for each list-valued field.
ITEM_NAMES = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}

# Characters XML 1.0 cannot carry at all (C0 controls except tab/newline/CR, lone
# surrogates, U+FFFE/U+FFFF). Escaping does not help; they are dropped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def clean_text(value: str) -> str:
    """``value`` without the characters an XML document may not contain."""
    return _NOT_XML.sub("", value)


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return clean_text(str(value))


def _fill(element: Element, value) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _append(element, key, child)
    else:
        element.text = _text(value)


def _append(parent: Element, name: str, value) -> None:
    element = SubElement(parent, name)
    if isinstance(value, (list, tuple)):
        item_name = ITEM_NAMES.get(name, "item")
        for item in value:
            _fill(SubElement(element, item_name), item)
    else:
        _fill(element, value)


def render(root: str, data, *, item: str | None = None) -> bytes:
    """The UTF-8 document for ``data``: a list becomes ``<root><item>…</item>…</root>``,
    a dict becomes ``<root>`` with one child per key."""
    element = Element(root)
    if isinstance(data, (list, tuple)):
        if item is None:
            raise ValueError("a list needs an item element name")
        for entry in data:
            _fill(SubElement(element, item), entry)
    else:
        _fill(element, data)
    return (DECLARATION + tostring(element, encoding="unicode")).encode("utf-8")
