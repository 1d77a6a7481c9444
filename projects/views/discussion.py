"""The jury's discussion of one proposal: its thread and the form to write in it.

Reached by the proposal's staff and its jurors not in conflict (anyone else: 404, so the
proposal's existence stays private); a juror reads the thread once the discussion phase is
open and their own evaluation submitted. Names follow `projects.queries.discussion`.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from calls.rules import is_call_staff
from programme import web
from programme.rules import is_superuser
from projects.forms.jury import DiscussionPostForm
from projects.queries import discussion as discussion_queries
from projects.queries import jury as jury_queries
from projects.services import discussion
from projects.views.loaders import load_proposal


@login_required
@require_http_methods(["GET", "POST"])
@web.object_permission("projects.discuss_proposal", load_proposal, private=True)
def discussion_page(request, proposal):
    call = proposal.call
    staff = is_superuser(request.user) or is_call_staff(request.user, call)
    assignment = None if staff else jury_queries.assignment_for(request.user, proposal.public_id)
    readable = staff or discussion_queries.juror_may_read(assignment)
    form = DiscussionPostForm(request.POST or None, staff=staff)
    form.helper.form_action = reverse("jury:discussion", args=[proposal.public_id])
    if request.method == "POST" and form.is_valid():
        outcome = web.run(
            request,
            discussion.post_message,
            proposal,
            by=request.user,
            now=timezone.now(),
            body=form.cleaned_data["body"],
            internal=form.cleaned_data.get("internal", False),
            success=_("Message publié."),
            form=form,
            field="body",
        )
        if outcome:
            return redirect(reverse("jury:discussion", args=[proposal.public_id]) + "#fil")
    posts = (
        discussion_queries.signed(
            discussion_queries.thread(proposal, staff=staff), call, staff=staff
        )
        if readable
        else []
    )
    if staff:
        back = (_("Classement"), reverse("jury:ranking", args=[call.slug]))
    else:
        back = (_("Évaluer"), reverse("jury:evaluate", args=[proposal.public_id]))
    return render(
        request,
        "projects/jury/discussion.html",
        {
            "page_title": _("Discussion du jury — %(title)s") % {"title": proposal.title},
            "call": call,
            "proposal": proposal,
            "staff": staff,
            "open": discussion_queries.is_open(call),
            "readable": readable,
            "posts": posts,
            "form": form,
            "breadcrumb_data": web.crumbs(
                (_("Mon espace"), reverse("dashboard")), back, current=_("Discussion du jury")
            ),
        },
        status=400 if form.errors else 200,
    )
