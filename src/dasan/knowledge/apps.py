from django.utils.translation import gettext_lazy as _

from dasan.core.appconfig import DasanAppConfig, Job


class KnowledgeConfig(DasanAppConfig):
    name = "dasan.knowledge"
    label = "knowledge"
    verbose_name = _("지식베이스")
    layer = "platform"

    urls = [("kb/", "urls")]
    api = [("/kb/", "api")]
    # Sources whose validity dates start or end are (un)indexed within the hour.
    jobs = [Job("knowledge.sync_validity", "services.sync_validity", every_seconds=3600)]
    demo = "demo.load_demo_sources"
    # Kiwi, the embedding model and the index take seconds to load: web processes warm them
    # at start-up (wsgi.py) so the first question does not pay for it.
    hooks = {"warm": "indexing.manager.warm"}
