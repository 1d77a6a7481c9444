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


rules.add_perm("calls.view_call", is_call_public | is_superuser | is_call_staff)
rules.add_perm("calls.manage_call", is_superuser | is_call_staff)
# The object is the programme the new call belongs to.
rules.add_perm("calls.create_call", is_superuser | is_programme_staff)
