"""The Journal of one proposal: who did what to it, when, in French sentences (staff only)."""

from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from programme import journal, web
from projects.queries.proposals import proposal_journal
from projects.views.loaders import call_crumbs, load_proposal


@login_required
@require_GET
@web.object_permission("projects.screen_proposal", load_proposal, private=True)
def proposal_journal_page(request, proposal):
    name = proposal.reference or proposal.title
    return journal.page(
        request,
        proposal_journal(proposal),
        title=_("Journal de la candidature %(name)s") % {"name": name},
        subject=proposal.title,
        breadcrumb_data=call_crumbs(
            proposal.call,
            _("Journal"),
            (_("Candidatures"), reverse("projects:call-proposals", args=[proposal.call.slug])),
            (name, proposal.get_absolute_url()),
        ),
        basename=f"journal-{proposal.reference or proposal.public_id}",
    )
