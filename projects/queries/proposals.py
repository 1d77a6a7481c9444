"""Reads about proposals: what a team may still do, what is missing, what a version holds,
and the querysets of the lists (each list runs a fixed number of queries)."""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import formats, translation
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from calls import eligibility, funding
from calls.enums import CallKind, QuestionKind
from calls.models import Call
from programme.enums import StructureType, choice_labels
from projects.enums import ProposalState
from projects.models import Answer, CorrectionRequest, Proposal, TeamMember


def paris_time(moment: datetime) -> str:
    """A moment as the French read it, in Paris time ("29 mars 2026 à 12:00")."""
    return date_format(localtime(moment), "j F Y à H:i")


def open_correction(proposal: Proposal) -> CorrectionRequest | None:
    return proposal.correction_requests.filter(sent_back_at__isnull=True).first()


def can_edit(proposal: Proposal, now: datetime) -> bool:
    """A team edits while the call is open (draft or submitted), or while a correction is due."""
    if proposal.state in ProposalState.editable_states and proposal.call.is_open(now):
        return True
    correction = open_correction(proposal)
    return correction is not None and now < correction.deadline


def can_submit(proposal: Proposal, now: datetime) -> bool:
    return proposal.state in ProposalState.editable_states and proposal.call.is_open(now)


def is_answered(value: Any) -> bool:
    return value not in (None, "", [], {})


class Missing(str):
    """One thing missing before submission, in the user's words, with the form field that
    takes it (`field`, e.g. `q_12`) or `"team"` when the team page does."""

    field: str = ""

    def __new__(cls, text: str, field: str = ""):
        item = super().__new__(cls, text)
        item.field = field
        return item


def missing_items(proposal: Proposal) -> list[Missing]:
    """What still stands between this proposal and its submission, in the user's words."""
    call = proposal.call
    missing = []
    if not proposal.title.strip():
        missing.append(Missing(_("Le titre du projet."), "title"))
    if not proposal.summary.strip():
        missing.append(Missing(_("Le résumé du projet."), "summary"))
    if call.kind == CallKind.CHALLENGE_APPLICATIONS and proposal.defi_id is None:
        missing.append(Missing(_("Le défi auquel vous candidatez.")))
    answers = {a.question_id: a.value for a in proposal.answers.all()}
    attachment_ids = {str(pk) for pk in proposal.attachments.values_list("public_id", flat=True)}
    for question in call.questions.all():
        if not question.required:
            continue
        value = answers.get(question.pk)
        if question.kind == QuestionKind.FILE and value not in attachment_ids:
            value = None
        if not is_answered(value):
            missing.append(
                Missing(
                    _("Une réponse à la question « %(q)s ».") % {"q": question.label},
                    f"q_{question.pk}",
                )
            )
    size = proposal.team.count()
    if size < call.team_min:
        missing.append(
            Missing(
                _(
                    "Au moins %(min)s personnes dans l'équipe (vous êtes %(size)s) : invitez vos "
                    "coéquipiers."
                )
                % {"min": call.team_min, "size": size},
                "team",
            )
        )
    if size > call.team_max:
        missing.append(
            Missing(
                _("Au plus %(max)s personnes dans l'équipe (vous êtes %(size)s).")
                % {"max": call.team_max, "size": size},
                "team",
            )
        )
    if call.offers_funding:
        # The call's own funding rules, the same ones deliberation and the follow-up read.
        missing.extend(
            Missing(problem, "requested_amount")
            for problem in funding.request_problems(
                call, amount=proposal.requested_amount, yearly_budget=proposal.yearly_budget
            )
        )
    return missing


def facts_of(proposal: Proposal, team_size: int | None = None) -> eligibility.Facts:
    """What the call's eligibility conditions read of a proposal (`team_size` when the
    caller annotated it)."""
    structure = proposal.structure if proposal.structure_id else None
    return eligibility.Facts(
        structure_type=structure.type if structure else None,
        region=(structure.region or None) if structure else None,
        team_size=proposal.team.count() if team_size is None else team_size,
        requested_amount=proposal.requested_amount,
    )


def eligibility_breaches(proposal: Proposal) -> list[eligibility.Breach]:
    """The call's eligibility conditions this proposal does not meet (the submission refuses
    the blocking ones; the others are a warning to the team and a flag to the staff)."""
    rules = list(proposal.call.eligibility_rules.all())
    if not rules:
        return []
    return eligibility.breaches(rules, facts_of(proposal))


def rules_of(call: Call) -> list:
    """The call's eligibility conditions, read once per call object (a page asks twice)."""
    if not hasattr(call, "_eligibility_rules"):
        call._eligibility_rules = list(call.eligibility_rules.all())
    return call._eligibility_rules


def with_eligibility_flags(call: Call, rows: list) -> list:
    """`rows` (annotated with `team_size`, structure joined) each with `eligibility_flags`:
    the conditions it breaks. One query for the call's rules, whatever the number of rows."""
    rules = rules_of(call)
    for row in rows:
        row.eligibility_flags = (
            eligibility.breaches(rules, facts_of(row, row.team_size)) if rules else []
        )
    return rows


def flagged_for_screening(call: Call) -> list:
    """The submitted proposals still to screen that break a condition of the call, each with
    its `eligibility_flags` (for the bulk screening of the flagged ones)."""
    if not rules_of(call):
        return []
    rows = list(
        Proposal.objects.filter(call=call, state=ProposalState.SUBMITTED)
        .select_related("structure", "call")
        .annotate(team_size=Count("team", distinct=True))
        .order_by("sequence", "id")
    )
    return [row for row in with_eligibility_flags(call, rows) if row.eligibility_flags]


# The proposal's columns each kind of condition reads, for `flagged_count`'s grouping.
_FACT_COLUMNS = {
    "structure_type": "structure__type",
    "region": "structure__region",
    "team_size": "team_size",
    "requested_amount": "requested_amount",
}


def flagged_count(call: Call) -> int:
    """How many proposals still to screen break a condition of the call: what
    `flagged_for_screening` finds, counted by asking `eligibility.breaches` (the one rule)
    once per distinct set of the facts the conditions read, grouped by the database. The
    staff list reads a few rows instead of every proposal of the call."""
    rules = rules_of(call)
    if not rules:
        return 0
    read = {rule.kind for rule in rules}
    columns = [column for kind, column in _FACT_COLUMNS.items() if kind in read]
    team = (
        TeamMember.objects.filter(proposal=OuterRef("pk"))
        .order_by()
        .values("proposal")
        .annotate(n=Count("pk"))
        .values("n")
    )
    groups = (
        Proposal.objects.filter(call=call, state=ProposalState.SUBMITTED)
        .annotate(team_size=Coalesce(Subquery(team, output_field=IntegerField()), 0))
        .order_by()
        .values(*columns)
        .annotate(proposals=Count("pk"))
    )
    flagged = 0
    for group in groups:
        facts = eligibility.Facts(
            structure_type=group.get("structure__type"),
            region=group.get("structure__region") or None,
            team_size=group.get("team_size", 0),
            requested_amount=group.get("requested_amount"),
        )
        if eligibility.breaches(rules, facts):
            flagged += group["proposals"]
    return flagged


def eligibility_warning(proposal: Proposal) -> str:
    """A word to the team when its structure is not among the call's eligible types; the
    staff decide at screening, so this warns and does not block."""
    allowed = proposal.call.eligible_structure_types
    if not allowed or proposal.structure_id is None or proposal.structure.type in allowed:
        return ""
    return _(
        "Attention : votre structure (%(structure)s) ne fait pas partie des structures admises "
        "par cet appel (%(allowed)s) ; votre candidature risque d'être déclarée irrecevable."
    ) % {
        "structure": proposal.structure.get_type_display(),
        "allowed": ", ".join(str(label) for label in proposal.call.eligible_structure_labels()),
    }


def snapshot(proposal: Proposal) -> dict:
    """The content of a submission, as plain JSON, in a stable order.

    Each answer keeps its question's kind so a version reads back as it was typed ("Oui",
    "400 000", a file's name), and each file its SHA-256, so the receipt can be rebuilt from
    the version alone."""
    answers = {a.question_id: a.value for a in proposal.answers.all()}
    files = list(proposal.attachments.all())
    by_id = {str(a.public_id): a for a in files}

    def answer(question) -> dict:
        value = answers.get(question.pk)
        entry = {"question": question.label, "kind": question.kind, "value": value}
        if question.kind == QuestionKind.FILE:
            attached = by_id.get(value) if isinstance(value, str) else None
            entry["value"] = str(attached.public_id) if attached else None
            entry["file"] = _file(attached) if attached else None
        return entry

    return {
        "reference": proposal.reference,
        "call": proposal.call.slug,
        "title": proposal.title,
        "summary": proposal.summary,
        "structure": str(proposal.structure) if proposal.structure_id else "",
        "defi": proposal.defi.title if proposal.defi_id else "",
        "yearly_budget": str(proposal.yearly_budget) if proposal.yearly_budget is not None else "",
        "requested_amount": (
            str(proposal.requested_amount) if proposal.requested_amount is not None else ""
        ),
        "team": [
            {"name": m.user.get_full_name(), "email": m.user.email, "role": m.role}
            for m in proposal.team.select_related("user").order_by("joined_at", "id")
        ],
        "answers": [answer(q) for q in proposal.call.questions.all()],
        "attachments": [_file(a) for a in files],
    }


def _file(attachment) -> dict:
    return {
        "id": str(attachment.public_id),
        "name": attachment.original_name,
        "size": attachment.size,
        "sha256": attachment.sha256,
    }


def shown_answer(entry: dict) -> str:
    """An answer of a snapshot as a person reads it: "Oui", "400 000", a file's name, the
    choices joined; "" when unanswered. Versions kept before answers carried their kind
    read their yes/no answers the same way."""
    value, kind = entry.get("value"), entry.get("kind")
    if not is_answered(value):
        return ""
    if isinstance(value, bool):
        return _("Oui") if value else _("Non")
    if kind == QuestionKind.FILE:
        return (entry.get("file") or {}).get("name", "")
    if kind == QuestionKind.NUMBER:
        return french_number(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def french_number(value) -> str:
    """A number as the French write it: "1 000 000", "0,85"."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    places = 0 if number == number.to_integral_value() else 2
    with translation.override("fr"):
        return formats.number_format(number, places, use_l10n=True, force_grouping=True)


def shown_amount(value) -> str:
    return "" if value in (None, "") else funding.euros(value)


@dataclass(frozen=True)
class Row:
    """One answer of the rendered proposal: its label, the text shown, the file it names."""

    label: str
    text: str
    file: dict | None = None


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[Row]


def sections(content: dict, call: Call) -> list[Section]:
    """A snapshot (a version's content, or `snapshot(proposal)` of the live draft) grouped as
    the form is: the project, the call's questions; read by the summary before submitting,
    the version page, the staff's proposal page and the PDF receipt."""
    project = [
        Row(str(_("Titre du projet")), content.get("title", "")),
        Row(str(_("Résumé")), content.get("summary", "")),
    ]
    if content.get("defi"):
        project.append(Row(str(_("Défi")), content["defi"]))
    if content.get("structure"):
        project.append(Row(str(_("Structure porteuse")), content["structure"]))
    if call.offers_funding or content.get("requested_amount"):
        project += [
            Row(str(_("Budget annuel du projet")), shown_amount(content.get("yearly_budget"))),
            Row(str(_("Montant demandé")), shown_amount(content.get("requested_amount"))),
        ]
    result = [Section(str(_("Le projet")), project)]
    answers = [
        Row(entry["question"], shown_answer(entry), entry.get("file"))
        for entry in content.get("answers", [])
    ]
    if answers:
        result.append(Section(str(_("Questions de l'appel")), answers))
    return result


@dataclass(frozen=True)
class Change:
    """One answer that differs from the submitted version: before → now."""

    label: str
    before: str
    after: str


def unsubmitted_changes(proposal: Proposal) -> tuple[Any, list[Change]]:
    """The last submitted version and what changed since, answer by answer; (None, []) when
    the proposal is not submitted or nothing changed."""
    if proposal.state != ProposalState.SUBMITTED:
        return None, []
    last = proposal.versions.order_by("-number").first()
    if last is None:
        return None, []
    current = snapshot(proposal)
    if content_hash(current) == last.sha256:
        return last, []

    def flat(content: dict) -> dict[str, str]:
        rows = {row.label: row.text for s in sections(content, proposal.call) for row in s.rows}
        rows[str(_("Équipe"))] = ", ".join(
            m.get("name") or m.get("email", "") for m in content.get("team", [])
        )
        rows[str(_("Pièces jointes"))] = ", ".join(
            f["name"] for f in content.get("attachments", [])
        )
        return rows

    before, after = flat(last.content), flat(current)
    changes = [
        Change(label, before.get(label, ""), text)
        for label, text in after.items()
        if before.get(label, "") != text
    ]
    changes += [Change(label, text, "") for label, text in before.items() if label not in after]
    return last, changes


def content_hash(content: dict) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def reference_for(call: Call, sequence: int) -> str:
    return f"{call.programme.reference_prefix}-{localtime(call.opens_at).year}-{sequence:04d}"


def proposals_of(user):
    """The proposals of the teams `user` belongs to: the only ones a candidate sees."""
    if not user.is_authenticated:
        return Proposal.objects.none()
    open_correction = CorrectionRequest.objects.filter(
        proposal=OuterRef("pk"), sent_back_at__isnull=True
    ).values("deadline")[:1]
    return (
        Proposal.objects.filter(team__user=user)
        .select_related("call", "call__programme", "defi")
        .annotate(correction_due=Subquery(open_correction))
        .order_by("-updated_at")
    )


def team_with_users():
    return Prefetch("team", queryset=TeamMember.objects.select_related("user").order_by("id"))


def staff_list(call):
    """A call's proposals as the staff list them (drafts are the teams' own business).

    Filter this, take one keyset page of it by `staff_keys` (only the key columns), then
    load the page with `staff_rows`: page 200 costs what page 1 costs."""
    return Proposal.objects.filter(call=call, state__in=ProposalState.submitted_states)


# The staff list's sorts (the values of ProposalFilter's `ordering`) as keyset keys: column,
# type, nullable. Each is served by an index of Proposal that starts with the call, except
# the structure's name, which lives in another table.
STAFF_SORTS = {
    "reference": ("sequence", int, True),
    "title": ("title", str, False),
    "submitted_at": ("submitted_at", datetime, True),
    "state": ("state", str, False),
    "structure": ("structure_name", str, True),
}
STAFF_DEFAULT_SORT = "reference"


def staff_sort(value: str | None) -> str:
    """The sort asked for (e.g. "-title"), or the default one for an unknown value."""
    value = (value or "").strip()
    return value if value.lstrip("-") in STAFF_SORTS else STAFF_DEFAULT_SORT


def staff_keys(sort: str) -> list:
    """The keyset keys of one sort of the staff list; the primary key breaks ties in the
    same direction, so one index scan (forwards or backwards) serves the page."""
    from programme.keyset import Key

    descending = sort.startswith("-")
    column, kind, nullable = STAFF_SORTS[sort.lstrip("-")]
    return [
        Key(column, descending=descending, kind=kind, nullable=nullable),
        Key("pk", descending=descending, kind=int, nullable=False),
    ]


def staff_salt(call, sort: str) -> str:
    """The salt of the staff list's cursors: a cursor of one call and one sort means nothing
    for another (it gives the first page)."""
    return f"staff-list:{call.pk}:{sort}"


def staff_page_source(queryset, sort: str):
    """The filtered list reduced to what a keyset page needs: its key columns."""
    column = STAFF_SORTS[sort.lstrip("-")][0]
    if column == "structure_name":
        return queryset.annotate(structure_name=F("structure__name")).only("pk")
    return queryset.only("pk", column)


def staff_rows(ids):
    """The rows of one page of the staff list, in the order of `ids`."""
    rows = (
        Proposal.objects.filter(pk__in=list(ids))
        .select_related("structure", "defi")
        .annotate(team_size=Count("team", distinct=True))
        .prefetch_related(team_with_users())
    )
    by_id = {row.pk: row for row in rows}
    page = [by_id[pk] for pk in ids if pk in by_id]
    # Each label looked up once per page, not through get_FOO_display at every row.
    states, types = choice_labels(ProposalState), choice_labels(StructureType)
    for row in page:
        row.state_label = states.get(row.state, row.state)
        if row.structure is not None:
            row.structure.type_label = types.get(row.structure.type, row.structure.type)
    return page


def for_export(call):
    return (
        Proposal.objects.filter(call=call)
        .exclude(state__in=[ProposalState.DRAFT, ProposalState.WITHDRAWN])
        .select_related("structure", "defi")
        .prefetch_related(
            team_with_users(),
            Prefetch(
                "answers", queryset=Answer.objects.only("proposal_id", "question_id", "value")
            ),
        )
        .order_by("sequence", "id")
    )


def search(queryset, text: str):
    text = text.strip()
    if not text:
        return queryset
    # The proposal's own columns, or a member's name: two index-served lookups (pg_trgm on
    # PostgreSQL, see programme/trigram.py) instead of a join over the team and a DISTINCT.
    members = TeamMember.objects.filter(
        Q(user__last_name__icontains=text) | Q(user__email__icontains=text)
    ).values("proposal_id")
    return queryset.filter(
        Q(title__icontains=text)
        | Q(summary__icontains=text)
        | Q(reference__icontains=text)
        | Q(pk__in=members)
    )


def audition_of(proposal: Proposal):
    """The audition slot of a proposal retained for the auditions, if it has one."""
    from projects.models import Audition

    return Audition.objects.filter(
        proposal=proposal, proposal__state=ProposalState.SHORTLISTED
    ).first()


def proposal_journal(proposal: Proposal):
    """What a proposal's Journal covers: the proposal, and its screening, conflicts,
    evaluations, audition, decision and decision letter."""
    from programme import journal
    from projects.models import (
        Audition,
        AuditionEvaluation,
        Conflict,
        Decision,
        DecisionMail,
        Evaluation,
    )

    return journal.targets(
        proposal,
        (Conflict, Conflict.objects.filter(proposal=proposal)),
        (Evaluation, Evaluation.objects.filter(assignment__proposal=proposal)),
        (Audition, Audition.objects.filter(proposal=proposal)),
        (AuditionEvaluation, AuditionEvaluation.objects.filter(proposal=proposal)),
        (Decision, Decision.objects.filter(proposal=proposal)),
        (DecisionMail, DecisionMail.objects.filter(proposal=proposal)),
    )
