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


# --- Follow-up ---------------------------------------------------------------------------------


def _laureate_of(obj):
    """The laureate of a laureate, a milestone or a report."""
    if obj is None:
        return None
    if hasattr(obj, "milestone_id") and hasattr(obj, "milestone"):
        obj = obj.milestone
    return getattr(obj, "laureate", obj)


def team_ids(laureate) -> set[int]:
    """The people of a laureate's team: its intrapreneur and its members (one query, cached)."""
    cached = getattr(laureate, "_team_ids", None)
    if cached is None:
        cached = set(laureate.members.values_list("pk", flat=True))
        if laureate.intrapreneur_id:
            cached.add(laureate.intrapreneur_id)
        laureate._team_ids = cached
    return cached


@rules.predicate
def is_laureate_team(user, obj) -> bool:
    laureate = _laureate_of(obj)
    return user.is_authenticated and laureate is not None and user.pk in team_ids(laureate)


@rules.predicate
def is_laureate_coach(user, obj) -> bool:
    laureate = _laureate_of(obj)
    return user.is_authenticated and laureate is not None and laureate.coach_id == user.pk


@rules.predicate
def is_laureate_mentor(user, obj) -> bool:
    laureate = _laureate_of(obj)
    return (
        user.is_authenticated
        and laureate is not None
        and laureate.mentors.filter(pk=user.pk).exists()
    )


@rules.predicate
def is_staff_of_laureate_programme(user, obj) -> bool:
    laureate = _laureate_of(obj)
    return laureate is not None and is_programme_staff(user, laureate.cohort.programme)


# The staff's follow-up dashboard of a cohort (the object is the cohort).
rules.add_perm("cohorts.follow_cohort", is_superuser | is_staff_of_its_programme)
# A laureate's timeline and reports: its team, its coach and mentors, the programme's staff.
rules.add_perm(
    "cohorts.view_followup",
    is_superuser
    | is_staff_of_laureate_programme
    | is_laureate_team
    | is_laureate_coach
    | is_laureate_mentor,
)
# Only the team writes its reports; the coach (or staff) comments them.
rules.add_perm("cohorts.write_report", is_laureate_team)


def writes_reports(user, obj) -> bool:
    """Whether `user` writes the reports of `obj` (a laureate or a milestone): the rule itself,
    asked without the blanket permission Django's ModelBackend grants a superuser."""
    return rules.has_perm("cohorts.write_report", user, _laureate_of(obj))


rules.add_perm(
    "cohorts.comment_report", is_superuser | is_staff_of_laureate_programme | is_laureate_coach
)
# Staff add, skip and close milestones and record the final committee's decision.
rules.add_perm("cohorts.manage_followup", is_superuser | is_staff_of_laureate_programme)
