from django.utils import translation


def ActivateUserLanguageMiddleware(get_response):
    def middleware(request):
        return get_response(request)

    return middleware
