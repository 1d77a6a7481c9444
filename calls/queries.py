"""Reusable querysets of calls."""

from datetime import datetime

from django.db.models import Count, Q

from .enums import CallState
from .models import Call


def open_calls(now: datetime):
    """Calls taking proposals at `now`: published, opened, deadline not passed."""
    return Call.objects.filter(
        state=CallState.PUBLISHED, opens_at__lte=now, closes_at__gt=now
    ).order_by("closes_at")


def public_calls():
    return Call.objects.exclude(state=CallState.DRAFT).select_related("programme")


def calls_with_counts(queryset):
    """Calls with their number of proposals and of submitted ones, counted by the database."""
    return queryset.annotate(
        proposal_count=Count("proposals", distinct=True),
        submitted_count=Count(
            "proposals", filter=~Q(proposals__state__in=["draft", "withdrawn"]), distinct=True
        ),
    ).order_by("-opens_at")
