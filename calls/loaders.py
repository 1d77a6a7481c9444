"""The loader of every call page, for `programme.web.object_permission`.

A published call past its deadline is closed whether or not the beat task has run: the
loader writes that down (once, `calls.services.settle`) before the page or its guards read
the state, so the jury pages, the call page and the services all see the same "Clos".
"""

from django.utils import timezone

from . import queries, services
from .models import Call


def load_call(slug: str) -> Call:
    """The call at this address with its state at the present moment, or 404."""
    return services.settle(queries.load_call(slug), now=timezone.now())
