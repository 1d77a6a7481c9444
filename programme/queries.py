"""Reusable querysets of the root concepts."""

from django.db.models import Count, Q

from .enums import ProgrammeRole
from .models import Programme


def programmes_with_figures():
    """Programmes with counts computed by the database, never typed."""
    return Programme.objects.annotate(
        open_calls=Count("calls", filter=Q(calls__state="published"), distinct=True),
        cohort_count=Count("cohorts", distinct=True),
    ).order_by("name")


def programmes_where(user, role: ProgrammeRole):
    if not user.is_authenticated:
        return Programme.objects.none()
    return Programme.objects.filter(memberships__user=user, memberships__role=role).distinct()
