import logging
import os
import threading

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dasan.settings")
application = get_wsgi_application()


def _warm() -> None:
    # Apps declare what is slow to load (the "warm" hook: Kiwi, the embedding model and the
    # search index); loading it in the background at start-up keeps the first resident's
    # question (and Kakao's 5-second limit) from paying for it.
    from dasan.core.appconfig import hooks

    for warm in hooks("warm"):
        try:
            warm()
        except Exception:  # noqa: BLE001 - a failed warm-up only makes the first answer slower
            logging.getLogger("dasan.wsgi").exception("warming %s failed", getattr(warm, "__qualname__", warm))


if settings.DASAN["WARM_ON_START"]:
    threading.Thread(target=_warm, name="dasan-warm", daemon=True).start()
