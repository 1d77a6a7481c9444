"""Querysets of the reminders' staff pages."""

from django.db.models import Count, Q, QuerySet

from .enums import ReminderState
from .models import Reminder


def reminders_for_staff(**scope) -> QuerySet[Reminder]:
    """The reminders of one call (`call=`) or cohort (`cohort=`), newest first, with what a
    row shows (recipient, object) fetched in a fixed number of queries."""
    return (
        Reminder.objects.filter(**scope)
        .select_related("recipient", "content_type")
        .prefetch_related("content_object")
        .order_by("-created_at", "-id")
    )


def state_counts(**scope) -> dict[str, int]:
    """How many reminders of the scope are in each state, in one query."""
    return Reminder.objects.filter(**scope).aggregate(
        **{state.value: Count("pk", filter=Q(state=state)) for state in ReminderState}
    )
