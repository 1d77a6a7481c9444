"""Responses about a signed-in person are never kept by a browser or a proxy cache."""

from django.utils.cache import add_never_cache_headers


class PrivateResponsesNotStoredMiddleware:
    """`Cache-Control: no-store` on every response to a signed-in person (pages, downloads,
    exports), so that a shared computer's back button or a proxy shows nothing of theirs.

    Public pages seen by visitors keep their own caching headers (the open data sets them).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
