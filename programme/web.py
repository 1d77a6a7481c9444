"""The web layer every view shares: load and check an object, run a service, breadcrumbs.

Views stay thin and all alike:

    @login_required
    @require_POST
    @web.object_permission("projects.change_proposal", load_proposal, private=True)
    def withdraw(request, proposal):
        outcome = web.run(
            request, services.withdraw, proposal, by=request.user, now=timezone.now(),
            success=_("Candidature retirée."),
        )
        return redirect(proposal.get_absolute_url())

- `object_permission` loads the object once from the URL, asks the `rules` predicate, and
  answers sign-in to a visitor, 404 for what must stay private, 403 otherwise. The object is
  handed to the view, which never loads it again.
- `run` calls a service; a `TransitionError` becomes its French message on the page (or on the
  form, next to the field, so what was typed is shown again). No view catches it by hand.
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .exceptions import StaleVersionError, TransitionError


def check(request, perm: str, obj, *, private: bool = False, hidden: bool = False) -> None:
    """Raise unless the user has `perm` on `obj`: sign-in for a visitor, then 404 or 403.

    `hidden` answers 404 to everyone, visitors included: for public pages of objects not yet
    public (a draft call, an unpublished promotion), where a sign-in page would hint they exist.
    """
    if request.user.has_perm(perm, obj):
        return
    if hidden:
        raise Http404
    if not request.user.is_authenticated:
        raise _SignIn
    raise Http404 if private else PermissionDenied


class _SignIn(Exception):
    """Raised by `check` for a visitor; the decorator turns it into the sign-in redirect."""


def object_permission(
    perm: str | None, loader: Callable, *, private: bool = False, hidden: bool = False
):
    """Load the view's object once with `loader`, check `perm` on it, then call the view.

    `loader` receives the URL arguments it names (e.g. `def load_call(slug)`) and returns the
    object or raises Http404; the view receives `(request, obj, **the other URL arguments)`.
    With `private`, a refusal is a 404, so that a neighbour's identifier reveals nothing; with
    `hidden`, a visitor gets that 404 too instead of the sign-in page.
    `perm=None` only loads (the view is public or checks by itself).
    """
    wanted = set(inspect.signature(loader).parameters)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            obj = loader(**{name: kwargs.pop(name) for name in wanted if name in kwargs})
            if perm is not None:
                try:
                    check(request, perm, obj, private=private, hidden=hidden)
                except _SignIn:
                    return redirect_to_login(request.get_full_path())
            return view(request, obj, *args, **kwargs)

        return wrapper

    return decorator


@dataclass(frozen=True)
class Outcome:
    """What `run` did: `ok` (and the service's return `value`) or the refusal `error`."""

    ok: bool
    value: Any = None
    error: TransitionError | None = None

    def __bool__(self) -> bool:
        return self.ok


def run(
    request,
    service: Callable,
    *args,
    success: str | None = None,
    form=None,
    field: str | None = None,
    **kwargs,
) -> Outcome:
    """Call `service(*args, **kwargs)`; say `success`, or show the refusal's French message.

    With a `form`, the refusal is attached to it (to `field`, or to the whole form) so the page
    can be rendered again with what was typed; otherwise it becomes a message on the next page.
    """
    try:
        value = service(*args, **kwargs)
    except TransitionError as error:
        if form is not None:
            form.add_error(field, str(error))
        else:
            messages.error(request, str(error))
        return Outcome(False, error=error)
    if success:
        messages.success(request, success)
    return Outcome(True, value)


def saved_time(moment) -> str:
    """A time of the day as French writes it, in Paris: "14 h 32"."""
    local = timezone.localtime(moment)
    return f"{local.hour} h {local.minute:02d}"


def field_errors(form) -> dict[str, list[str]]:
    """A form's errors keyed by the id of the field's element ("" for the whole form)."""
    return {
        (form[name].auto_id if name in form.fields else ""): [str(m) for m in messages_]
        for name, messages_ in form.errors.items()
    }


def autosave(form, save: Callable[[], Any], *, now, version: Callable[[Any], Any]) -> JsonResponse:
    """Answer a draft's automatic save (`static/js/autosave.js`) in JSON.

    `form` is bound to what the page sent; once it is valid, `save()` calls the same service
    as the form's own save button. The answer is `{"ok", "status", "saved_at", "version"}`
    (`version(value)` the new optimistic version, `saved_at` the time in Paris), or the field
    errors keyed by element id (400), or the service's refusal (409 when someone saved since:
    a draft never overwrites another)."""
    if not form.is_valid():
        count = len(form.errors)
        return JsonResponse(
            {
                "ok": False,
                "status": ngettext(
                    "Non enregistré : %(count)s champ à corriger.",
                    "Non enregistré : %(count)s champs à corriger.",
                    count,
                )
                % {"count": count},
                "errors": field_errors(form),
            },
            status=400,
        )
    try:
        value = save()
    except TransitionError as error:
        return JsonResponse(
            {
                "ok": False,
                "stale": isinstance(error, StaleVersionError),
                "status": _("Non enregistré : %(reason)s") % {"reason": error},
                "errors": {},
            },
            status=409 if isinstance(error, StaleVersionError) else 400,
        )
    at = saved_time(now)
    return JsonResponse(
        {
            "ok": True,
            "saved_at": at,
            "status": _("Enregistré à %(time)s") % {"time": at},
            "version": version(value),
        }
    )


def crumbs(*links, current):
    """The breadcrumb data django-dsfr's tag reads: (title, url) pairs then the current page."""
    return {"links": [{"title": title, "url": url} for title, url in links], "current": current}


@dataclass(frozen=True)
class Confirmation:
    """What the confirmation step of an irreversible action says and where it posts."""

    title: str
    consequences: list[str]
    action: str
    label: str
    cancel: str
    subject: str = ""
    hidden: tuple[tuple[str, str], ...] = ()
    irreversible: bool = True


def confirm(request, confirmation: Confirmation, *, form=None, breadcrumb=None, status=200):
    """The one confirmation page (`includes/confirm.html`): what will happen and to how many
    people, then a button posting to the action. A `form` (e.g. a required reason, built
    with `form_tag = False`) is shown above the button, with its errors."""
    return render(
        request,
        "includes/confirm.html",
        {
            "page_title": confirmation.title,
            "confirm": confirmation,
            "form": form,
            "breadcrumb_data": breadcrumb,
        },
        status=status,
    )
