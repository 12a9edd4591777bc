"""`dasan newapp LABEL --title 제목`: a new, working, empty Dasan app from the template.

It writes ``src/dasan/<label>/`` (apps.py with its declarations, errors, notifications,
selectors, services, views, URLs for residents and staff, an API router, a demo loader and
two templates) and ``tests/<label>/test_wiring.py``, then prints the one line left to add:
the app in ``INSTALLED_APPS`` (or, for a city's own app kept outside Dasan, in
``DASAN_EXTRA_APPS``). The checklist of what to fill in next is docs/dev/new-app.md.
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

import dasan

TEMPLATE = Path(__file__).resolve().parents[2] / "app_template"
LABEL = re.compile(r"^[a-z][a-z0-9_]{1,30}$")


def render(text: str, names: dict[str, str]) -> str:
    for placeholder, value in names.items():
        text = text.replace(placeholder, value)
    return text


def copy_tree(source: Path, target: Path, names: dict[str, str]) -> list[Path]:
    """Copy ``source`` into ``target``, replacing the placeholders in paths and contents and
    dropping the ``.tpl`` suffix. Refuses to overwrite anything."""
    written = []
    for path in sorted(source.rglob("*")):
        if not path.is_file():
            continue
        relative = render(str(path.relative_to(source)), names).removesuffix(".tpl")
        destination = target / relative
        if destination.exists():
            raise CommandError(f"{destination} exists; nothing was written over it")
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(render(path.read_text(encoding="utf-8"), names), encoding="utf-8")
        written.append(destination)
    return written


class Command(BaseCommand):
    help = "Create a new, empty Dasan app (package, declarations, pages, API, demo, tests) from the template."

    def add_arguments(self, parser):
        parser.add_argument("label", help="the app's label and package name, e.g. transit")
        parser.add_argument("--title", required=True, help="what residents call it, in Korean, e.g. 교통")
        parser.add_argument("--url", help="URL segment (default: the label with - for _)")
        parser.add_argument("--module", help="dotted module (default: dasan.<label>)")
        parser.add_argument("--app-dir", help="where the package goes (default: next to dasan's apps)")
        parser.add_argument("--tests-dir", help="where its tests go (default: ./tests/<label>)")

    def handle(self, *args, label: str, title: str, url=None, module=None, app_dir=None, tests_dir=None, **options):
        if not LABEL.match(label) or keyword.iskeyword(label):
            raise CommandError("the label is 2-31 lower-case letters, digits or _, starting with a letter")
        names = {
            "__APP_LABEL__": label,
            "__APP_MODULE__": module or f"dasan.{label}",
            "__APP_CLASS__": "".join(part.capitalize() for part in label.split("_")),
            "__APP_TITLE__": title.replace('"', "'"),
            "__APP_URL__": url or label.replace("_", "-"),
        }
        app_target = Path(app_dir) if app_dir else Path(dasan.__file__).resolve().parent / label
        tests_target = Path(tests_dir) if tests_dir else Path.cwd() / "tests" / label
        for target in (app_target, tests_target):
            if target.exists():
                raise CommandError(f"{target} exists")
        written = copy_tree(TEMPLATE / "app", app_target, names)
        written += copy_tree(TEMPLATE / "tests", tests_target, names)
        for path in written:
            self.stdout.write(f"  {path}")
        self.stdout.write(
            self.style.SUCCESS(
                f'\nAdd "{names["__APP_MODULE__"]}" to INSTALLED_APPS in settings.py (before "dasan.web")'
            )
        )
        self.stdout.write("or, for a city's own app outside Dasan, to DASAN_EXTRA_APPS. Then: docs/dev/new-app.md.")
