"""What a proposal's jury discussion shows, and to whom.

- A juror reads the thread only while the call is in its discussion phase, once their own
  evaluation is submitted (as for the others' scores), and never a proposal they are in
  conflict with (`assignment_for` left it out: a 404).
- Staff's internal notes are read by staff alone.
- When the call hides jurors' names, a juror is shown as "Juré·e N", N stable for the call
  (the order in which jurors took their seat), on the pages and in the mails alike.
"""

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from calls.enums import CallState, ReviewPhase
from calls.models import Call, JuryMember
from projects.enums import EvaluationState
from projects.models import Assignment, Conflict, DiscussionPost, Evaluation, Proposal
from projects.queries.jury import DISCUSSION_STATES


def is_open(call: Call) -> bool:
    """The thread is open to jurors in the discussion phase of a call before the jury."""
    return call.review_phase == ReviewPhase.DISCUSSION and call.state in DISCUSSION_STATES


def pseudonyms(call: Call) -> dict[int, str]:
    """user id -> "Juré·e N" for every juror of the call (one query)."""
    seats = JuryMember.objects.filter(call=call).order_by("pk").values_list("user_id", flat=True)
    return {user_id: _("Juré·e %(n)s") % {"n": n} for n, user_id in enumerate(seats, start=1)}


# After the jury: the thread of a call that had its discussion stays readable to its jurors.
READABLE_AFTER = frozenset({CallState.RESULTS_PUBLISHED, CallState.ARCHIVED})


def juror_may_read(assignment: Assignment) -> bool:
    """The juror's own evaluation is submitted and the thread is open (or was: read only)."""
    call = assignment.juror.call
    was_open = call.review_phase == ReviewPhase.DISCUSSION and call.state in READABLE_AFTER
    return (is_open(call) or was_open) and (
        Evaluation.objects.filter(assignment=assignment, state=EvaluationState.SUBMITTED).exists()
    )


def thread(proposal: Proposal, *, staff: bool):
    """The posts of the proposal's thread, oldest first; internal notes for staff only."""
    posts = DiscussionPost.objects.filter(proposal=proposal).select_related("author")
    if not staff:
        posts = posts.filter(internal=False)
    return posts.order_by("created_at", "pk")


def signed(posts, call: Call, *, staff: bool) -> list[DiscussionPost]:
    """Each post with `signature`: what the reader is shown as its author."""
    names = pseudonyms(call)
    posts = list(posts)
    for post in posts:
        post.signature = signature(post, names, hide=call.hide_juror_names and not staff)
    return posts


def signature(post: DiscussionPost, names: dict[int, str], *, hide: bool) -> str:
    """Who wrote `post`, as the reader is shown it: staff by name; a juror by their
    pseudonym when `hide`, else by name with the pseudonym beside it."""
    author = post.author
    if post.from_staff:
        who = author.get_full_name() or author.email if author else ""
        return (
            _("%(name)s (équipe du programme)") % {"name": who}
            if who
            else _("L'équipe du programme")
        )
    pseudonym = names.get(post.author_id, _("Juré·e"))
    if hide or author is None:
        return pseudonym
    return f"{author.get_full_name() or author.email} ({pseudonym})"


def juror_participants(proposal: Proposal):
    """The users assigned to the proposal and not in conflict with it."""
    return (
        Assignment.objects.filter(proposal=proposal)
        .exclude(
            Exists(
                Conflict.objects.filter(
                    juror_id=OuterRef("juror_id"),
                    proposal_id=OuterRef("proposal_id"),
                    lifted_at__isnull=True,
                )
            )
        )
        .select_related("juror__user")
        .order_by("juror_id")
    )
