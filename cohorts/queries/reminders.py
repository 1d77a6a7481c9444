"""Reads of the reminders' staff pages."""

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import Count, Q, QuerySet

from calls.models import Call, JuryMember
from cohorts.models import Milestone
from programme.enums import ReminderState
from programme.models import Reminder
from projects.models import Audition, DecisionMail, Proposal, ProposalVersion


def reminders_for_staff(**scope) -> QuerySet[Reminder]:
    """The reminders of one call (`call=`) or cohort (`cohort=`), newest first, with what a
    row shows (recipient, object) fetched in a fixed number of queries."""
    return (
        Reminder.objects.filter(**scope)
        .select_related("recipient", "content_type")
        .prefetch_related(
            # What each kind's object prints (str) is fetched with it, one query per type;
            # types not named here are fetched plainly.
            GenericPrefetch(
                "content_object",
                [
                    Proposal.objects.all(),
                    ProposalVersion.objects.all(),
                    JuryMember.objects.select_related("user", "call"),
                    Call.objects.all(),
                    # A milestone names its laureate; an audition or a decision mail its
                    # proposal.
                    Milestone.objects.select_related("laureate"),
                    Audition.objects.select_related("proposal"),
                    DecisionMail.objects.select_related("proposal"),
                ],
            )
        )
        .order_by("-created_at", "-id")
    )


def state_counts(**scope) -> dict[str, int]:
    """How many reminders of the scope are in each state, in one query."""
    return Reminder.objects.filter(**scope).aggregate(
        **{state.value: Count("pk", filter=Q(state=state)) for state in ReminderState}
    )
