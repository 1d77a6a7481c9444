"""Reusable querysets of the root concepts."""

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from calls.enums import CallState
from calls.models import Call
from cohorts.models import Cohort
from projects.models import Answer, Attachment, DiscussionPost, Evaluation, Message, TeamMember

from .enums import ProgrammeRole
from .models import Programme, Reminder


def load_programme(slug: str) -> Programme:
    """The programme at this address, or 404: the loader of every programme page."""
    return get_object_or_404(Programme, slug=slug)


def programmes_with_figures():
    """Programmes with counts computed by the database, never typed."""
    return Programme.objects.annotate(
        open_calls=Count("calls", filter=Q(calls__state=CallState.PUBLISHED), distinct=True),
        cohort_count=Count("cohorts", distinct=True),
    ).order_by("name")


def programmes_where(user, role: ProgrammeRole):
    if not user.is_authenticated:
        return Programme.objects.none()
    return Programme.objects.filter(memberships__user=user, memberships__role=role).distinct()


def personal_data_export(user) -> dict:
    """Everything the portal holds about one person, as JSON-ready data (fixed queries).

    Their account and structure, their roles, the proposals they are on (with answers,
    versions, files and the thread of messages), the messages they wrote, the evaluations
    they wrote as a juror, their messages in the jury's discussions, and the reminders sent
    to them.
    """
    structure = user.structure
    seats = (
        TeamMember.objects.filter(user=user)
        .select_related("proposal__call__programme", "proposal__structure", "proposal__defi")
        .prefetch_related(
            Prefetch("proposal__answers", queryset=_answers()),
            "proposal__versions",
            # Every file, those a submitted version keeps after the team replaced them too.
            Prefetch("proposal__attachments", queryset=Attachment.all_objects.all()),
            Prefetch("proposal__messages", queryset=Message.objects.order_by("created_at", "pk")),
        )
        .order_by("proposal__created_at", "pk")
    )
    evaluations = (
        Evaluation.objects.filter(assignment__juror__user=user)
        .select_related("assignment__proposal", "assignment__juror__call")
        .prefetch_related("scores__criterion")
        .order_by("assignment__juror__call_id", "assignment__proposal_id")
    )
    written = (
        Message.objects.filter(author=user).select_related("proposal").order_by("created_at", "pk")
    )
    posts = (
        DiscussionPost.objects.filter(author=user)
        .select_related("proposal")
        .order_by("created_at", "pk")
    )
    reminders = Reminder.objects.filter(recipient=user).order_by("created_at", "pk")
    roles = user.memberships.select_related("programme").order_by("programme__name", "role")
    return {
        "compte": {
            "adresse_electronique": user.email,
            "prenom": user.first_name,
            "nom": user.last_name,
            "fonction": user.job_title,
            "inscrit_le": _iso(user.date_joined),
            "derniere_connexion": _iso(user.last_login),
            "rappels_facultatifs": user.wants_nudges,
            "fournisseur_proconnect": user.proconnect_idp,
        },
        "structure": structure
        and {
            "nom": structure.name,
            "type": structure.get_type_display(),
            "region": structure.get_region_display() if structure.region else "",
        },
        "roles": [{"programme": m.programme.name, "role": m.get_role_display()} for m in roles],
        "candidatures": [_proposal_data(seat) for seat in seats],
        "messages_ecrits": [
            {
                "candidature": m.proposal.reference or m.proposal.title,
                "envoye_le": _iso(m.created_at),
                "message": m.body,
            }
            for m in written
        ],
        "evaluations": [_evaluation_data(e) for e in evaluations],
        "discussion_du_jury_ecrite": [
            {
                "candidature": p.proposal.reference or p.proposal.title,
                "publie_le": _iso(p.created_at),
                "note_interne": p.internal,
                "message": p.body,
            }
            for p in posts
        ],
        "rappels": [
            {
                "nature": r.get_kind_display(),
                "echeance": _iso(r.due),
                "etat": r.get_state_display(),
                "envoye_le": _iso(r.sent_at),
            }
            for r in reminders
        ],
    }


def _answers():
    return Answer.objects.select_related("question").order_by("question__position", "pk")


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _proposal_data(seat) -> dict:
    proposal = seat.proposal
    return {
        "appel": proposal.call.edition,
        "programme": proposal.call.programme.name,
        "titre": proposal.title,
        "reference": proposal.reference,
        "etat": proposal.get_state_display(),
        "role_dans_l_equipe": seat.get_role_display(),
        "resume": proposal.summary,
        "structure": proposal.structure.name if proposal.structure else "",
        "defi": proposal.defi.title if proposal.defi else "",
        "budget_annuel": str(proposal.yearly_budget) if proposal.yearly_budget else None,
        "montant_demande": str(proposal.requested_amount) if proposal.requested_amount else None,
        "deposee_le": _iso(proposal.submitted_at),
        "reponses": [
            {"question": a.question.label, "reponse": a.value} for a in proposal.answers.all()
        ],
        "versions": [
            {
                "numero": v.number,
                "reference": v.reference,
                "deposee_le": _iso(v.submitted_at),
                "empreinte_sha256": v.sha256,
            }
            for v in proposal.versions.all()
        ],
        "pieces_jointes": [
            {"nom": a.original_name, "taille": a.size, "deposee_le": _iso(a.uploaded_at)}
            for a in proposal.attachments.all()
        ],
        "messages": [
            {
                "de": _("équipe du programme") if m.from_staff else _("équipe candidate"),
                "envoye_le": _iso(m.created_at),
                "message": m.body,
            }
            for m in proposal.messages.all()
        ],
    }


def _evaluation_data(evaluation) -> dict:
    proposal = evaluation.assignment.proposal
    return {
        "appel": evaluation.assignment.juror.call.edition,
        "candidature": proposal.reference or proposal.title,
        "etat": evaluation.get_state_display(),
        "recommandation": evaluation.get_recommendation_display(),
        "appreciation": evaluation.comment,
        "soumise_le": _iso(evaluation.submitted_at),
        "notes": [
            {"critere": s.criterion.name, "note": s.value, "commentaire": s.comment}
            for s in evaluation.scores.all()
        ],
    }


def site_map_programmes():
    """Every programme with its public calls and published promotions, for the site map."""
    return Programme.objects.order_by("name").prefetch_related(
        Prefetch(
            "calls",
            queryset=Call.objects.filter(state__in=CallState.public_states).order_by(
                "-opens_at", "edition"
            ),
            to_attr="public_calls",
        ),
        Prefetch(
            "cohorts",
            queryset=Cohort.objects.filter(published_at__isnull=False).order_by(
                "-starts_on", "label"
            ),
            to_attr="published_cohorts",
        ),
    )


JOURNAL_PAGE_SIZE = 50


def journal_entries(condition, *, actor=None, kind: str = "", limit=None):
    """The audit entries matching `condition` (`journal.targets(...)`), newest first, in one
    query: by one person (`actor` id, `0` for the portal's own tasks) or of one kind (the
    action's family). The Journal pages them by keyset on (at, id) (`programme.keyset`)."""
    from .models import AuditEntry

    entries = AuditEntry.objects.filter(condition).select_related("actor", "content_type")
    if actor == 0:
        entries = entries.filter(actor__isnull=True)
    elif actor:
        entries = entries.filter(actor_id=actor)
    if kind:
        entries = entries.filter(action__startswith=f"{kind}.")
    entries = entries.order_by("-at", "-pk")
    return entries[:limit] if limit else entries


def journal_facets(condition) -> tuple[list, set[str], bool]:
    """The people who appear in a Journal (for its filter), its kinds of action, and whether
    the portal itself (a scheduled task) wrote some of it."""
    from .models import AuditEntry, User

    rows = AuditEntry.objects.filter(condition).values_list("actor_id", "action").distinct()
    actor_ids, kinds = set(), set()
    for actor_id, action in rows:
        actor_ids.add(actor_id)
        kinds.add(action.split(".", 1)[0])
    people = list(User.objects.filter(pk__in=[pk for pk in actor_ids if pk]))
    return people, kinds, None in actor_ids


def programme_people(programme: Programme) -> dict:
    """The people of a programme's desk: its staff and coaches, the jurors of its calls whose
    jury still changes, and the invitations waiting for an answer (oldest first)."""
    from calls.models import JuryMember

    from .models import ProgrammeInvitation, ProgrammeMembership

    memberships = (
        ProgrammeMembership.objects.filter(programme=programme)
        .select_related("user", "user__structure")
        .order_by("user__last_name", "user__first_name", "user__email")
    )
    calls = (
        Call.objects.filter(programme=programme)
        .exclude(state__in=[CallState.RESULTS_PUBLISHED, CallState.ARCHIVED])
        .order_by("-opens_at")
        .prefetch_related(
            Prefetch(
                "jury_members",
                queryset=JuryMember.objects.select_related("user", "user__structure").order_by(
                    "user__last_name", "user__first_name"
                ),
            )
        )
    )
    pending = (
        ProgrammeInvitation.objects.filter(programme=programme, accepted_at=None, cancelled_at=None)
        .select_related("call", "invited_by")
        .order_by("sent_at", "pk")
    )
    return {
        "staff": [m for m in memberships if m.role == ProgrammeRole.STAFF],
        "coaches": [m for m in memberships if m.role == ProgrammeRole.COACH],
        "jury_calls": list(calls),
        "pending": list(pending),
    }


def load_membership(slug: str, pk: int):
    from .models import ProgrammeMembership

    return get_object_or_404(
        ProgrammeMembership.objects.select_related("programme", "user"), programme__slug=slug, pk=pk
    )


def load_invitation(slug: str, pk: int):
    from .models import ProgrammeInvitation

    return get_object_or_404(
        ProgrammeInvitation.objects.select_related("programme", "call"), programme__slug=slug, pk=pk
    )


def load_seat(slug: str, pk: int):
    from calls.models import JuryMember

    return get_object_or_404(
        JuryMember.objects.select_related("call__programme", "user"),
        call__programme__slug=slug,
        pk=pk,
    )


# --- Grouped messages -------------------------------------------------------------------

# The placeholders each group of recipients has values for (`programme.letters`).
AUDIENCE_PLACEHOLDERS = {
    "teams": ["prénom", "nom", "programme", "appel", "date_limite", "référence", "titre"],
    "jury": ["prénom", "nom", "programme", "appel", "date_limite"],
    "laureates": ["prénom", "nom", "programme", "promotion", "titre", "référence"],
    "coaches": ["prénom", "nom", "programme"],
}


def group_recipients(message) -> list[tuple]:
    """(person, placeholder values) for each recipient of a grouped message, each person
    once (a person in two teams of the call is written to once, about the first), by name."""
    from django.utils.formats import date_format
    from django.utils.timezone import localtime

    from .enums import GroupAudience

    programme = message.programme
    base = {"programme": programme.name}
    rows: list[tuple] = []
    if message.audience == GroupAudience.CALL_TEAMS and message.call_id:
        call = message.call
        seats = TeamMember.objects.filter(proposal__call=call, user__is_active=True)
        if message.proposal_states:
            seats = seats.filter(proposal__state__in=message.proposal_states)
        seats = seats.select_related("user", "proposal").order_by(
            "user__last_name", "user__first_name", "proposal__title", "pk"
        )
        call_values = {
            **base,
            "appel": call.edition,
            "date_limite": date_format(localtime(call.closes_at), "j F Y"),
        }
        rows = [
            (seat.user, {**call_values, "référence": seat.proposal.reference or "",
                         "titre": seat.proposal.title})
            for seat in seats
        ]  # fmt: skip
    elif message.audience == GroupAudience.CALL_JURY and message.call_id:
        from calls.models import JuryMember

        call = message.call
        call_values = {
            **base,
            "appel": call.edition,
            "date_limite": date_format(localtime(call.closes_at), "j F Y"),
        }
        seats = JuryMember.objects.filter(call=call, user__is_active=True).select_related("user")
        rows = [
            (seat.user, call_values)
            for seat in seats.order_by("user__last_name", "user__first_name")
        ]
    elif message.audience == GroupAudience.COHORT_LAUREATES and message.cohort_id:
        from cohorts.models import Laureate

        laureates = (
            Laureate.objects.filter(cohort=message.cohort)
            .select_related("intrapreneur", "proposal")
            .prefetch_related("members")
            .order_by("name", "pk")
        )
        for laureate in laureates:
            values = {
                **base,
                "promotion": message.cohort.label,
                "titre": laureate.name,
                "référence": laureate.proposal.reference if laureate.proposal else "",
            }
            team = [laureate.intrapreneur] if laureate.intrapreneur else []
            team += [m for m in laureate.members.all() if m != laureate.intrapreneur]
            rows += [(person, values) for person in team if person.is_active]
    elif message.audience == GroupAudience.COACHES:
        from .models import ProgrammeMembership

        memberships = ProgrammeMembership.objects.filter(
            programme=programme, role=ProgrammeRole.COACH, user__is_active=True
        ).select_related("user")
        rows = [(m.user, base) for m in memberships.order_by("user__last_name", "user__first_name")]
    recipients, seen = [], set()
    for person, values in rows:
        if person.pk in seen or person.anonymised_at is not None:
            continue
        seen.add(person.pk)
        recipients.append(
            (person, {**values, "prénom": person.first_name, "nom": person.last_name})
        )
    return recipients


def group_messages_of(programme):
    from .models import GroupMessage

    return GroupMessage.objects.filter(programme=programme).select_related(
        "call", "cohort", "created_by"
    )


def load_group_message(slug: str, pk: int):
    from .models import GroupMessage

    return get_object_or_404(
        GroupMessage.objects.select_related("programme", "call", "cohort"),
        programme__slug=slug,
        pk=pk,
    )
