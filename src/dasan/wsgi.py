import logging
import os
import threading

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dasan.settings")
application = get_wsgi_application()


def _warm() -> None:
    # Kiwi, the embedding model and the search index take a few seconds to load;
    # loading them in the background at start-up keeps the first resident's
    # question (and Kakao's 5-second limit) from paying for it.
    try:
        from dasan.knowledge.services import manager

        manager.warm()
    except Exception:  # noqa: BLE001 - a failed warm-up only makes the first answer slower
        logging.getLogger("dasan.wsgi").exception("warming the knowledge index failed")


if os.environ.get("DASAN_WARM_ON_START", "1") != "0":
    threading.Thread(target=_warm, name="dasan-warm", daemon=True).start()
