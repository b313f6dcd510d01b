from django.conf import settings


def site(request):
    return {"SANDBOX_ENABLED": settings.SANDBOX_ENABLED}
