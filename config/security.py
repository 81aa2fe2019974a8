from django.conf import settings


def client_ip(request) -> str:
    """The visitor's address for django-axes; behind our proxy, the one it passes in X-Real-IP."""
    if settings.BEHIND_PROXY and request.META.get("HTTP_X_REAL_IP"):
        return request.META["HTTP_X_REAL_IP"]
    return request.META.get("REMOTE_ADDR", "")
