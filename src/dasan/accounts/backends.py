from django.contrib.auth.backends import ModelBackend


class DasanBackend(ModelBackend):
    pass
