"""The juror's dossier: the whole proposal as one readable page and one PDF per call.

Every answer to the call's questions (unanswered ones said so), the budget and the amount
requested on a funding call, the team and its structures, the attachments, and the flags
screening raises (funding limits, a structure the call does not admit). What a juror may read
is decided before: `projects.queries.jury.assignment_for` (one proposal) and `juror_assignments`
(the call) leave out any proposal the juror is in conflict with. Blind review hides jurors'
names from each other (`Call.hide_juror_names`); the dossier names no juror at all.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from calls import funding
from calls.enums import QuestionKind
from calls.models import Call, JuryMember, Question
from programme.pdf import Document
from projects.models import Answer, Attachment, Proposal, TeamMember
from projects.queries import jury as jury_queries


@dataclass
class Dossier:
    proposal: Proposal
    answers: list[tuple[str, str, Attachment | None]] = field(default_factory=list)
    team: list[TeamMember] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    funding: list[tuple[str, str]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def _with_dossier(proposals):
    return proposals.select_related("call", "structure", "defi__host_structure").prefetch_related(
        Prefetch("answers", queryset=Answer.objects.order_by("question_id")),
        Prefetch(
            "team",
            queryset=TeamMember.objects.select_related("user__structure").order_by(
                "role", "joined_at", "pk"
            ),
        ),
        Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at", "pk")),
    )


def answer_text(question: Question, value, attachments: dict[str, Attachment]):
    """What the candidate answered, as words, and the attachment a file question names."""
    if value in (None, "", []):
        return _("Sans réponse"), None
    if question.kind == QuestionKind.YES_NO:
        return (_("Oui") if value else _("Non")), None
    if question.kind == QuestionKind.FILE:
        attachment = attachments.get(str(value))
        return (attachment.original_name if attachment else _("Pièce retirée")), attachment
    if isinstance(value, list):
        return ", ".join(str(v) for v in value), None
    return str(value), None


def _flags(proposal: Proposal) -> list[str]:
    call = proposal.call
    flags = []
    allowed = call.eligible_structure_types
    if allowed and proposal.structure_id and proposal.structure.type not in allowed:
        flags.append(
            _(
                "La structure porteuse (%(type)s) ne fait pas partie des structures admises par "
                "l'appel (%(allowed)s) ; l'équipe du programme l'a jugée recevable."
            )
            % {
                "type": proposal.structure.get_type_display(),
                "allowed": ", ".join(str(label) for label in call.eligible_structure_labels()),
            }
        )
    if call.offers_funding:
        flags += funding.request_problems(
            call, amount=proposal.requested_amount, yearly_budget=proposal.yearly_budget
        )
    return flags


def _funding(proposal: Proposal) -> list[tuple[str, str]]:
    call = proposal.call
    if not call.offers_funding:
        return []

    def amount(value):
        return funding.euros(value) if value is not None else _("Non indiqué")

    rows = [
        (_("Budget annuel du projet"), amount(proposal.yearly_budget)),
        (_("Montant demandé"), amount(proposal.requested_amount)),
    ]
    if proposal.yearly_budget and proposal.requested_amount is not None:
        share = 100 * proposal.requested_amount / proposal.yearly_budget
        rows.append(
            (
                _("Part du budget demandée"),
                _("%(share)s %% (au plus %(max)s %% ; plafond %(cap)s)")
                % {
                    "share": f"{share:.0f}",
                    "max": call.max_funding_share,
                    "cap": funding.euros(call.max_funding_amount),
                },
            )
        )
    return rows


def build(proposal: Proposal, questions: list[Question]) -> Dossier:
    """The dossier of a proposal loaded by `_with_dossier`, for the call's `questions`."""
    attachments = list(proposal.attachments.all())
    by_id = {str(a.public_id): a for a in attachments}
    values = {a.question_id: a.value for a in proposal.answers.all()}
    answers = [(q.label, *answer_text(q, values.get(q.pk), by_id)) for q in questions]
    return Dossier(
        proposal=proposal,
        answers=answers,
        team=list(proposal.team.all()),
        attachments=attachments,
        funding=_funding(proposal),
        flags=_flags(proposal),
    )


def questions_of(call: Call) -> list[Question]:
    return list(call.questions.order_by("position", "pk"))


def proposal_dossier(proposal: Proposal) -> Dossier:
    """The dossier of one proposal (the caller checked the reader may see it)."""
    loaded = _with_dossier(Proposal.objects.filter(pk=proposal.pk)).get()
    return build(loaded, questions_of(loaded.call))


def juror_dossiers(seat: JuryMember) -> list[Dossier]:
    """The dossiers of every proposal the juror evaluates on the call, conflicts left out,
    in the order of their queue; a fixed number of queries whatever their number."""
    ids = jury_queries.juror_assignments(seat).values("proposal_id")
    proposals = _with_dossier(Proposal.objects.filter(pk__in=ids)).order_by("sequence", "pk")
    questions = questions_of(seat.call)
    return [build(proposal, questions) for proposal in proposals]


def jury_pdf(seat: JuryMember, dossiers: list[Dossier]) -> bytes:
    """The "dossier du jury" of a juror on a call: a table of contents, then each proposal
    they evaluate on its own pages (answers, budget, team, the list of attachments)."""
    call = seat.call
    document = Document(
        _("Dossier du jury — %(edition)s") % {"edition": call.edition},
        footer=_("%(edition)s — confidentiel, pour %(name)s")
        % {"edition": call.edition, "name": seat.user.get_full_name() or seat.user.email},
        contents=True,
    )
    if not dossiers:
        document.paragraph(_("Aucune candidature ne vous est confiée sur cet appel."))
    for index, dossier in enumerate(dossiers):
        proposal = dossier.proposal
        if index:
            document.page_break()
        document.heading(f"{proposal.reference} — {proposal.title}".strip(" —"))
        for flag in dossier.flags:
            document.paragraph("⚠ " + flag, small=True)
        document.answer(_("Résumé"), proposal.summary)
        if dossier.funding:
            document.heading(_("Budget et financement demandé"), level=2)
            document.table([_("Élément"), _("Montant")], [list(row) for row in dossier.funding])
        if dossier.answers:
            document.heading(_("Réponses aux questions de l'appel"), level=2)
            for label, text, _attachment in dossier.answers:
                document.answer(label, text)
        document.heading(_("L'équipe"), level=2)
        structure = proposal.structure
        document.paragraph(
            _("Structure porteuse : %(name)s")
            % {"name": f"{structure.name} ({structure.get_type_display()})" if structure else "—"}
        )
        document.table(
            [_("Nom"), _("Rôle"), _("Structure")],
            [
                [
                    member.user.get_full_name() or member.user.email,
                    member.get_role_display(),
                    member.user.structure.name if member.user.structure else "",
                ]
                for member in dossier.team
            ],
        )
        document.heading(_("Pièces jointes"), level=2)
        if dossier.attachments:
            document.table(
                [_("Fichier"), _("Taille")],
                [[a.original_name, filesizeformat(a.size)] for a in dossier.attachments],
            )
            document.paragraph(
                _("Les pièces se téléchargent depuis la page d'évaluation de la candidature."),
                small=True,
            )
        else:
            document.paragraph(_("Aucune pièce jointe."))
    return document.bytes()
