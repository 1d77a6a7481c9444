"""Rendered HTML kept in the cache: what many requests render the same way.

Two uses, one cache (Redis with several web nodes, so every node sees the same versions):

- `render_once(parts, render)`: a piece whose HTML depends only on `parts` (e.g. the filter
  form of a staff list: the call's choices and the query string), rendered by `render()` on
  a miss. Nothing personal goes in it.
- `version(scope)` / `bump(scope)`: the version of the public pages of a scope ("calls",
  "programmes", "cohorts"), part of their `{% cache %}` keys; every save or delete of what
  those pages show bumps it (programme/signals.py), so a publication or an edit is seen at
  once, whichever path made it (service, admin, import).
"""

import hashlib
import logging
import secrets

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import translation
from django.utils.safestring import mark_safe

logger = logging.getLogger(__name__)

# Bumped when the markup of a cached piece changes, so a deployment never serves old HTML.
MARKUP = 1
# Seconds (the templates' {% cache %} tags say 3600 too): the versions make the pieces
# correct, the timeout keeps the cache small.
TIMEOUT = 60 * 60

PUBLIC_SCOPES = ("calls", "programmes", "cohorts")


def _key(parts) -> str:
    raw = "\x1f".join(str(p) for p in (MARKUP, translation.get_language(), *parts))
    return "fragment:" + hashlib.sha256(raw.encode()).hexdigest()


def render_once(parts, render) -> str:
    """The HTML `render()` gives for `parts`, rendered once and then read from the cache."""
    key = _key(parts)
    html = cache.get(key)
    if html is None:
        html = str(render())
        cache.set(key, html, TIMEOUT)
    # Our own rendered template output, read back from our own cache.
    return mark_safe(html)  # noqa: S308  # nosec B308 B703


def typed(form, data) -> list:
    """What was typed into `form`'s fields, from the request's `data` (request.GET): the
    part of a form's key that varies, blind to any other parameter of the address (a cursor,
    a tracker), so that junk in the address cannot fill the cache."""
    prefix = f"{form.prefix}-" if form.prefix else ""
    return [(name, data.getlist(prefix + name)) for name in form.fields]


def _fresh() -> int:
    return secrets.randbits(48)


def _version_key(scope: str) -> str:
    return f"fragment-version:{scope}"


def version(scope: str) -> int:
    """The current version of a scope's public pages (created on first use)."""
    value = cache.get(_version_key(scope))
    if value is None:
        # A random start: a version evicted and created again never meets the fragments
        # of its old numbers. add, not set: two nodes starting at once agree on one value.
        cache.add(_version_key(scope), _fresh(), None)
        value = cache.get(_version_key(scope), 0)
    return value


def bump(*scopes: str) -> None:
    """Every cached fragment of these scopes is old from now on."""
    for scope in scopes:
        key = _version_key(scope)
        try:
            try:
                cache.incr(key)
            except ValueError:  # never read yet, or evicted
                cache.set(key, _fresh(), None)
        except Exception:
            # An unreachable cache must not refuse the write that changed the page; the
            # fragments it holds expire after TIMEOUT at the latest.
            logger.exception("Cache unreachable: the %s fragments could not be renewed", scope)


def tag(*scopes: str) -> str:
    """What a `{% cache %}` fragment varies on besides its object: the markup and the
    versions of the scopes it shows, one string, e.g. `{% cache 3600 name obj.pk tag %}`."""
    return "-".join(str(v) for v in (MARKUP, *(version(scope) for scope in scopes)))


def _bump_now_and_after_commit(scopes):
    def handler(sender, **kwargs):
        # Now, for this transaction's own reads; after the commit too, or a page rendered
        # meanwhile from the old rows would be kept under the new version.
        bump(*scopes)
        transaction.on_commit(lambda: bump(*scopes))

    return handler


def follow(models, *scopes: str) -> None:
    """Bump `scopes` whenever a row of `models` is saved or deleted (called from each app's
    `ready()`, so the ground floor imports no app).

    A queryset `.update()` or `bulk_*` sends no signal: the promotion and programme pages
    also key on the cohorts' and laureates' `updated_at` (which the services' guarded
    updates set); a write that changes a call, a criterion, a question or a défi that way
    must call `bump("calls")` itself."""
    for model in models:
        handler = _bump_now_and_after_commit(scopes)
        uid = f"fragments:{model._meta.label}:{','.join(scopes)}"
        post_save.connect(handler, sender=model, weak=False, dispatch_uid=uid + ":save")
        post_delete.connect(handler, sender=model, weak=False, dispatch_uid=uid + ":delete")
