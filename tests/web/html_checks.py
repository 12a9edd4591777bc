"""Accessibility basics checked from the HTML itself (no browser needed)."""

from __future__ import annotations

from html.parser import HTMLParser

LABELLED_INPUT_EXEMPT = {"hidden", "submit", "button", "reset", "image"}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.label_for: set[str] = set()
        self.label_depth = 0
        self.inputs_inside_labels: set[int] = set()

    def handle_starttag(self, tag, attrs):
        attributes = {k: (v or "") for k, v in attrs}
        self.elements.append((tag, attributes))
        if tag == "label":
            self.label_depth += 1
            if attributes.get("for"):
                self.label_for.add(attributes["for"])
        elif tag in {"input", "select", "textarea"} and self.label_depth:
            self.inputs_inside_labels.add(len(self.elements) - 1)

    def handle_endtag(self, tag):
        if tag == "label" and self.label_depth:
            self.label_depth -= 1


def accessibility_problems(html: str) -> list[str]:
    """Problems a screen-reader or keyboard user would meet; empty when none."""
    parser = _Collector()
    parser.feed(html)
    problems: list[str] = []
    tags = [tag for tag, _ in parser.elements]
    ids = {attrs["id"] for _, attrs in parser.elements if attrs.get("id")}

    html_tags = [attrs for tag, attrs in parser.elements if tag == "html"]
    if not html_tags or not html_tags[0].get("lang"):
        problems.append("<html> has no lang attribute")
    if tags.count("main") != 1:
        problems.append(f"{tags.count('main')} <main> elements (want exactly one)")
    for landmark in ("header", "nav", "footer"):
        if landmark not in tags:
            problems.append(f"no <{landmark}> landmark")
    if tags.count("h1") != 1:
        problems.append(f"{tags.count('h1')} <h1> elements (want exactly one)")
    if not any(attrs.get("aria-live") for _, attrs in parser.elements):
        problems.append("no aria-live region for messages")

    links = [attrs for tag, attrs in parser.elements if tag == "a"]
    if not links or not links[0].get("href", "").startswith("#"):
        problems.append("the first link is not a skip link")
    else:
        target = links[0]["href"][1:]
        if target not in ids:
            problems.append(f"skip link points to missing #{target}")

    for index, (tag, attrs) in enumerate(parser.elements):
        if tag == "img" and "alt" not in attrs:
            problems.append(f"<img src={attrs.get('src')!r}> has no alt")
        if tag in {"input", "select", "textarea"}:
            if tag == "input" and attrs.get("type", "text") in LABELLED_INPUT_EXEMPT:
                continue
            labelled = (
                (attrs.get("id") and attrs["id"] in parser.label_for)
                or attrs.get("aria-label")
                or attrs.get("aria-labelledby")
                or index in parser.inputs_inside_labels
            )
            if not labelled:
                problems.append(f"<{tag} name={attrs.get('name')!r}> has no label")
    return problems


def html_lang(html: str) -> str:
    parser = _Collector()
    parser.feed(html)
    return next(attrs.get("lang", "") for tag, attrs in parser.elements if tag == "html")
