"""The juror's dossier: the whole proposal as one readable page and one PDF per call.

Every answer to the call's questions (unanswered ones said so), the budget and the amount
requested on a funding call, the team and its structures, the attachments, and the flags
screening raises (funding limits, a structure the call does not admit). What a juror may read
is decided before: `projects.queries.jury.assignment_for` (one proposal) and `juror_assignments`
(the call) leave out any proposal the juror is in conflict with. Blind review hides jurors'
names from each other (`Call.hide_juror_names`); the dossier names no juror at all.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db.models import Prefetch
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from calls import funding
from calls.models import Call, JuryMember, Question
from programme.pdf import Document
from projects.models import Answer, Attachment, Proposal, ProposalVersion, TeamMember
from projects.queries import jury as jury_queries
from projects.queries.proposals import Section, sections, snapshot


@dataclass
class Dossier:
    """What the jury reads: the submitted version (`sections`, as the version page and the
    receipt show it: "Oui", "400 000 €", file names), never the team's later unsubmitted
    edits; its files (`attachments`: id, name, size) and which of them can be downloaded."""

    proposal: Proposal
    sections: list[Section] = field(default_factory=list)
    team: list[TeamMember] = field(default_factory=list)
    attachments: list[dict] = field(default_factory=list)
    available_files: set[str] = field(default_factory=set)
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
        Prefetch(
            "versions",
            queryset=ProposalVersion.objects.order_by("-number"),
            to_attr="versions_newest_first",
        ),
        # Files a submitted version names stay downloadable after the team replaced them.
        Prefetch("attachments", queryset=Attachment.all_objects.all(), to_attr="kept_files"),
    )


def _flags(proposal: Proposal, content: dict) -> list[str]:
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
            call,
            amount=_decimal(content.get("requested_amount")),
            yearly_budget=_decimal(content.get("yearly_budget")),
        )
    return flags


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(value) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _funding(proposal: Proposal, content: dict) -> list[tuple[str, str]]:
    """The share of its budget the submitted version asks, against the call's rules (the
    budget and the amount themselves are rows of the version's sections)."""
    call = proposal.call
    if not call.offers_funding:
        return []
    yearly_budget = _decimal(content.get("yearly_budget"))
    requested = _decimal(content.get("requested_amount"))
    rows = []
    if yearly_budget and requested is not None:
        share = 100 * requested / yearly_budget
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
    """The dossier of a proposal loaded by `_with_dossier`: its last submitted version (the
    live draft only for a proposal never submitted, which no juror is given)."""
    versions = proposal.versions_newest_first
    content = versions[0].content if versions else snapshot(proposal)
    return Dossier(
        proposal=proposal,
        sections=sections(content, proposal.call),
        team=list(proposal.team.all()),
        attachments=list(content.get("attachments", [])),
        available_files={str(a.public_id) for a in proposal.kept_files},
        funding=_funding(proposal, content),
        flags=_flags(proposal, content),
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
        for section in dossier.sections:
            document.heading(section.title, level=2)
            for row in section.rows:
                document.answer(row.label, row.file["name"] if row.file else row.text)
        for label, value in dossier.funding:
            document.answer(label, value)
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
                [[a["name"], filesizeformat(a["size"])] for a in dossier.attachments],
            )
            document.paragraph(
                _("Les pièces se téléchargent depuis la page d'évaluation de la candidature."),
                small=True,
            )
        else:
            document.paragraph(_("Aucune pièce jointe."))
    return document.bytes()
