"""Permission predicates shared by the whole portal (the `rules` library).

Each app adds its own in its `rules.py`; views ask `user.has_perm(name, obj)`
and never test roles themselves.
"""

import rules

from .enums import ProgrammeRole
from .models import ProgrammeMembership


def _has_programme_role(user, programme, role) -> bool:
    if programme is None or not user.is_authenticated:
        return False
    cache = getattr(user, "_programme_roles", None)
    if cache is None:
        cache = set(
            ProgrammeMembership.objects.filter(user=user).values_list("programme_id", "role")
        )
        user._programme_roles = cache
    return (programme.pk, role) in cache


@rules.predicate
def is_programme_staff(user, programme) -> bool:
    return _has_programme_role(user, programme, ProgrammeRole.STAFF)


@rules.predicate
def is_programme_coach(user, programme) -> bool:
    return _has_programme_role(user, programme, ProgrammeRole.COACH)


@rules.predicate
def is_staff_somewhere(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser
        or ProgrammeMembership.objects.filter(user=user, role=ProgrammeRole.STAFF).exists()
    )


is_superuser = rules.is_superuser

rules.add_perm("programme.manage_programme", is_superuser | is_programme_staff)
rules.add_perm("programme.follow_programme", is_superuser | is_programme_staff | is_programme_coach)


def _programme_of(obj):
    """The programme of a membership, an invitation or a jury seat (through its call)."""
    if obj is None:
        return None
    programme = getattr(obj, "programme", None)
    if programme is None and getattr(obj, "call", None) is not None:
        programme = obj.call.programme
    return programme


@rules.predicate
def is_staff_of_its_programme(user, obj) -> bool:
    return is_programme_staff(user, _programme_of(obj))


# The people of a programme (a membership, an invitation, a juror's seat): its staff manage them.
rules.add_perm("programme.manage_people", is_superuser | is_staff_of_its_programme)
