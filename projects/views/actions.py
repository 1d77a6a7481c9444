"""The one shape of a proposal's POST-only actions: check the form, run the service, go back."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone

from programme import web


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
