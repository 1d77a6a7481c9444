"""Who may see and change a proposal.

A candidate sees only the proposals of teams they belong to; the staff of the
call's programme see them all. The predicates are attached to `Proposal`
(`projects.view_proposal`, `projects.change_proposal`, `projects.screen_proposal`).
"""

import rules

from programme.rules import is_programme_staff, is_superuser
from projects.enums import TeamRole


@rules.predicate
def is_team_member(user, proposal) -> bool:
    if proposal is None or not user.is_authenticated:
        return False
    seats = getattr(proposal, "_team_user_ids", None)
    if seats is None:
        seats = set(proposal.team.values_list("user_id", flat=True))
        proposal._team_user_ids = seats
    return user.pk in seats


@rules.predicate
def is_team_lead(user, proposal) -> bool:
    """The proposal's lead (porteur or porteuse): the one who withdraws it and runs its team."""
    if proposal is None or not user.is_authenticated:
        return False
    lead = getattr(proposal, "_team_lead_id", None)
    if lead is None:
        lead = (
            proposal.team.filter(role=TeamRole.LEAD).values_list("user_id", flat=True).first() or 0
        )
        proposal._team_lead_id = lead
    return user.pk == lead


@rules.predicate
def is_proposal_staff(user, proposal) -> bool:
    return proposal is not None and is_programme_staff(user, proposal.call.programme)


@rules.predicate
def is_assigned_juror(user, proposal) -> bool:
    """A juror given the proposal to evaluate and not in conflict with it (an active one)."""
    if proposal is None or not user.is_authenticated:
        return False
    return (
        proposal.jury_assignments.filter(juror__user=user).exists()
        and not proposal.conflicts.filter(juror__user=user, lifted_at__isnull=True).exists()
    )


@rules.predicate
def is_laureate_coach(user, proposal) -> bool:
    """The coach of the laureate this proposal became (read through the reverse relation, so
    this app does not import the cohorts)."""
    if proposal is None or not user.is_authenticated:
        return False
    laureate = getattr(proposal, "laureate", None)
    return laureate is not None and laureate.coach_id == user.pk


can_view_proposal = is_superuser | is_team_member | is_proposal_staff
can_screen_proposal = is_superuser | is_proposal_staff

# The team's roles: the lead withdraws the proposal, removes a member, cancels or resends an
# invitation and hands the lead role over; any member edits, invites and may leave.
rules.add_perm("projects.lead_team", is_team_lead)
rules.add_perm("projects.withdraw_proposal", is_team_lead | is_superuser | is_proposal_staff)

# The Fil's messages: the team and the staff, and the coach once the proposal is a laureate.
rules.add_perm("projects.write_fil", can_view_proposal | is_laureate_coach)

# The dossier's attachments: whoever sees the proposal, and the jurors who evaluate it.
rules.add_perm("projects.read_attachments", can_view_proposal | is_assigned_juror)
# The jury's discussion of a proposal: its staff, and its jurors not in conflict (the phase
# and the juror's own submitted evaluation are checked by the page and the service).
rules.add_perm("projects.discuss_proposal", can_screen_proposal | is_assigned_juror)


@rules.predicate
def is_export_requester(user, job) -> bool:
    return job is not None and user.is_authenticated and job.requested_by_id == user.pk


@rules.predicate
def is_export_staff(user, job) -> bool:
    return job is not None and is_programme_staff(user, job.call.programme)


# An export holds every answer of a call: only whoever asked for it follows and downloads it,
# while they still manage the call.
rules.add_perm("projects.follow_export", is_export_requester & (is_superuser | is_export_staff))
