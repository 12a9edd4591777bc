from ninja import NinjaAPI

api = NinjaAPI(title="Dasan API", version="1", urls_namespace="api")
