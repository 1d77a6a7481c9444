"""The portal's URLs plus views that fail on purpose, to render each error page."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.urls import path
from django.views.decorators.csrf import csrf_protect

from programme.urls import urlpatterns as portal_patterns


def forbidden(request):
    raise PermissionDenied


def missing(request):
    raise Http404


def suspicious(request):
    raise SuspiciousOperation("hostile input")


def broken(request):
    raise RuntimeError("a bug")


@csrf_protect
def form_target(request):
    raise AssertionError("the CSRF check should have refused the form")


urlpatterns = [
    *portal_patterns,
    path("test-erreurs/403/", forbidden),
    path("test-erreurs/404/", missing),
    path("test-erreurs/400/", suspicious),
    path("test-erreurs/500/", broken),
    path("test-erreurs/csrf/", form_target),
]
