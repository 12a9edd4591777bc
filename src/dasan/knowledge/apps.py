from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "dasan.knowledge"
    label = "knowledge"
    verbose_name = _("지식베이스")

    def ready(self) -> None:
        from dasan.core.schedule import register

        from .services import sync_validity

        # Sources whose validity dates start or end are (un)indexed within the hour.
        register("knowledge.sync_validity", sync_validity, every_seconds=3600)
