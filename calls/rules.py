"""Who may do what to a call."""

import rules

from programme.rules import is_programme_staff, is_superuser

from .enums import CallState


@rules.predicate
def is_call_staff(user, call) -> bool:
    return call is not None and is_programme_staff(user, call.programme)


@rules.predicate
def is_call_public(user, call) -> bool:
    return call is not None and call.state in CallState.public_states


@rules.predicate
def is_juror(user, call) -> bool:
    if call is None or not user.is_authenticated:
        return False
    return call.jury_members.filter(user=user).exists()


rules.add_perm("calls.view_call", is_call_public | is_superuser | is_call_staff)
rules.add_perm("calls.manage_call", is_superuser | is_call_staff)
rules.add_perm("calls.sit_on_jury", is_juror)
# The object is the programme the new call belongs to.
rules.add_perm("calls.create_call", is_superuser | is_programme_staff)
