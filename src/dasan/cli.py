"""The `dasan` console script: Django's management commands under one name.

dasan serve        production web server (gunicorn) with static files via WhiteNoise
dasan worker       background task worker
dasan run          both, supervised; Ctrl-C stops both (what `make run` uses)
dasan demo         load the demo city (데모시) and print its logins
dasan migrate, dasan check --deploy, dasan createsuperuser, ... any manage.py command
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dasan.settings")
    argv = list(sys.argv if argv is None else argv)
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
