from django.utils.translation import gettext_lazy as _

from dasan.core.appconfig import DasanAppConfig


class TranslationConfig(DasanAppConfig):
    """Machine translation behind one interface (a city's LibreTranslate or OpenAI-compatible
    server; none by default). No models: an app so that it declares its layer like the rest."""

    name = "dasan.translation"
    label = "translation"
    verbose_name = _("기계 번역")
    layer = "identity"
