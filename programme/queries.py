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
