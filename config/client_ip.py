"""The client's address, for login throttling (settings.AXES_CLIENT_IP_CALLABLE).

X-Forwarded-For can be written by anyone, so it is read only when the
deployment says how many reverse proxies of its own stand in front
(TRUSTED_PROXY_COUNT): each appends the address it saw, so the client is the
entry that many places from the right. Without proxies it is REMOTE_ADDR.
"""

from django.conf import settings


def client_ip(request):
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")
