"""`dasan ask "질문" [--json] [--staff]`: ask the assistant from the command line."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from dasan.core.errors import DasanError


class Command(BaseCommand):
    help = "Ask the assistant a question and print the answer, its citations and the confidence."

    def add_arguments(self, parser):
        parser.add_argument("question", nargs="+")
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument("--staff", action="store_true", help="include staff-only sources")
        parser.add_argument("--language", default=None)

    def handle(self, *args, **options):
        from dasan.assistant import services
        from dasan.assistant.models import Channel

        question = " ".join(options["question"])
        try:
            answer = services.ask(
                question,
                channel=Channel.CLI,
                language=options["language"] or "ko",
                audience="staff" if options["staff"] else "residents",
            )
        except DasanError as error:
            raise CommandError(str(error.message)) from None
        data = answer.as_dict()
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(answer.text)
        if answer.citations:
            self.stdout.write("")
            for c in answer.citations:
                section = f" · {c['section']}" if c.get("section") else ""
                updated = f" ({c['updated']})" if c.get("updated") else ""
                self.stdout.write(
                    f"[{c['n']}] {c['title']}{section}{updated} — source {c.get('source_id')} {c.get('url') or ''}".rstrip()
                )
        if answer.quick_replies:
            self.stdout.write("→ " + " · ".join(answer.quick_replies))
        self.stdout.write(f"kind={answer.kind} confidence={answer.confidence:.2f} mode={answer.mode}")
