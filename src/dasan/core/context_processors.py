def municipality(request):
    return {}
