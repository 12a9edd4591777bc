"""Settings for extracting an app's strings into the app's own catalogue (scripts/messages.sh)."""

from dasan.settings import *  # noqa: F401,F403

LOCALE_PATHS: list = []
