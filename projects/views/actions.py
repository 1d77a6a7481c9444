"""The one shape of a proposal's POST-only actions: check the form, run the service, go back;
and the screening of a selection, shared by the staff's list and the admin."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programme import web
from projects.services import screening


def act_on_proposal(
    request, proposal, service, *, success: str, form=None, fields=(), invalid="", anchor=""
):
    """Run `service(proposal, by=..., now=..., **the form's fields)` and go back to the
    proposal's page, where its success or its refusal is said. An invalid form says `invalid`
    (or the form's own errors) and runs nothing."""
    if form is not None and not form.is_valid():
        messages.error(
            request, invalid or " ".join(e for errors in form.errors.values() for e in errors)
        )
    else:
        values = {name: form.cleaned_data[name] for name in fields} if form is not None else {}
        web.run(
            request,
            service,
            proposal,
            by=request.user,
            now=timezone.now(),
            success=success,
            **values,
        )
    return redirect(proposal.get_absolute_url() + anchor)


def screen_many(request, selection, *, eligible: bool, reason: str = "") -> web.Outcome:
    """Screen a selection at once (all or nothing) and say how many, or that none changed."""
    outcome = web.run(
        request,
        screening.screen_selection,
        selection,
        by=request.user,
        now=timezone.now(),
        eligible=eligible,
        reason=reason,
    )
    if outcome:
        messages.success(
            request,
            ngettext(
                "%(count)s candidature examinée.",
                "%(count)s candidatures examinées.",
                outcome.value,
            )
            % {"count": outcome.value},
        )
    else:
        messages.info(request, _("Aucune candidature n'a été modifiée."))
    return outcome
