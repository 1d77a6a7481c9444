"""Who may follow and resend the reminders of a call or a cohort."""

import rules

from programme.rules import is_programme_staff, is_superuser


def _programme_of(obj):
    """The programme of a call, a cohort, or a reminder (through its call or cohort)."""
    if obj is None:
        return None
    call = getattr(obj, "call", None)
    if call is not None:
        return call.programme
    cohort = getattr(obj, "cohort", None)
    if cohort is not None:
        return cohort.programme
    return getattr(obj, "programme", None)


@rules.predicate
def is_staff_of_its_programme(user, obj) -> bool:
    return is_programme_staff(user, _programme_of(obj))


rules.add_perm("cohorts.follow_reminders", is_superuser | is_staff_of_its_programme)
rules.add_perm("cohorts.resend_reminder", is_superuser | is_staff_of_its_programme)


# --- Cohorts -----------------------------------------------------------------------------------


@rules.predicate
def is_published(user, cohort) -> bool:
    return cohort is not None and cohort.published_at is not None


# Nobody but the programme's staff and superusers sees a cohort before it is published.
rules.add_perm("cohorts.view_cohort", is_published | is_superuser | is_staff_of_its_programme)
rules.add_perm("cohorts.manage_cohort", is_superuser | is_staff_of_its_programme)
