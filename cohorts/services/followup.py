"""The six-month follow-up of the laureates: milestones, reports, reviews, the final committee.

Each state change is one function here, in `transaction.atomic(durable=True)`, with a guard
raising `TransitionError` (French message) and an audit-log entry. Permissions are checked by
the views (`cohorts/rules.py`); these functions check what the data allows. The reads of the
follow-up pages are in `cohorts/queries/followup.py`.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import rules
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cohorts.enums import FinalOutcome, MilestoneKind, Phase, ReportStatus
from cohorts.models import (
    Cohort,
    Indicator,
    IndicatorValue,
    Laureate,
    Milestone,
    Report,
    ReportMessage,
    add_months,
)
from cohorts.rules import team_ids, writes_reports
from cohorts.services import lateness
from programme import audit
from programme.exceptions import TransitionError, refuse_if_moved
from programme.models import User
from projects.services.team_mail import GENERIC as GENERIC_MAIL
from projects.services.team_mail import tell_people


@dataclass(frozen=True)
class Step:
    """One milestone of the programme's schedule, before it is written for a laureate."""

    kind: str
    number: int
    title: str
    due_on: date
    period_start: date | None = None
    period_end: date | None = None


def schedule(starts_on: date, ends_on: date) -> list[Step]:
    """The milestones of a follow-up from `starts_on` to `ends_on`.

    - A report every month: the n-th is due n months after the start, counted from the start
      each time (clamped to the month's end, so a start on the 31st gives 28 or 29 February,
      then 31 March, not 28 March), and covers the month before it; a report falls on the end
      at the latest.
    - The mid-term review halfway: after half the months when their number is even (3 of 6,
      5 of 10), else on the middle day.
    - The final committee on the last day.
    """
    steps = []
    months = 0
    while add_months(starts_on, months + 1) <= ends_on:
        months += 1
    for n in range(1, months + 1):
        due = add_months(starts_on, n)
        steps.append(
            Step(
                MilestoneKind.REPORT,
                n,
                _("Point d'étape n°%(n)s") % {"n": n},
                due,
                period_start=add_months(starts_on, n - 1),
                period_end=due - timedelta(days=1),
            )
        )
    if months and months % 2 == 0:
        midterm = add_months(starts_on, months // 2)
    else:
        midterm = starts_on + (ends_on - starts_on) / 2
    steps.append(Step(MilestoneKind.MIDTERM, 0, _("Revue de mi-parcours"), midterm))
    steps.append(Step(MilestoneKind.FINAL, 0, _("Comité final"), ends_on))
    return sorted(steps, key=lambda s: (s.due_on, s.kind != MilestoneKind.REPORT))


def milestones_for(laureate: Laureate, cohort: Cohort, now: datetime) -> list[Milestone]:
    """A laureate's milestones from the cohort's schedule, not saved yet."""
    return [
        Milestone(
            laureate=laureate,
            kind=step.kind,
            number=step.number,
            title=step.title,
            due_on=step.due_on,
            period_start=step.period_start,
            period_end=step.period_end,
            created_at=now,
        )
        for step in schedule(cohort.starts_on, cohort.ends_on)
    ]


def write_milestones(cohort: Cohort, *, now: datetime) -> int:
    """Give every laureate of the cohort without milestones its schedule (no audit: the caller
    records it). Returns how many laureates got theirs."""
    laureates = list(cohort.laureates.filter(milestones__isnull=True).distinct())
    rows = [m for laureate in laureates for m in milestones_for(laureate, cohort, now)]
    Milestone.objects.bulk_create(rows, batch_size=500)
    lateness.refresh([laureate.pk for laureate in laureates], now=now)
    return len(laureates)


def start_followup(cohort: Cohort, *, by: User, now: datetime) -> int:
    """Generate the milestones of the laureates who have none yet (a cohort formed before the
    follow-up existed, or a laureate added later); those already generated stay as they are."""
    with transaction.atomic(durable=True):
        Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
        count = write_milestones(cohort, now=now)
        if not count:
            raise TransitionError(_("Chaque lauréat a déjà ses jalons."))
        audit.record(
            by,
            "cohort.milestones",
            cohort,
            after="generated",
            reason=_("%(n)s lauréat(s)") % {"n": count},
            at=now,
        )
    return count


def _written(text: str | None, *, refusal: str) -> str:
    """The text without its surrounding blanks, or `refusal` if nothing is left."""
    text = (text or "").strip()
    if not text:
        raise TransitionError(refusal)
    return text


def _close(milestone: Milestone, refusal: str | None = None, **fields) -> None:
    """Write `fields` on a milestone still open (neither done nor skipped), or refuse."""
    updated = Milestone.objects.filter(
        pk=milestone.pk, done_at__isnull=True, skipped_at__isnull=True
    ).update(**fields)
    if not updated:
        raise TransitionError(refusal or _("Ce jalon est déjà fait ou écarté."))


def add_milestone(
    laureate: Laureate, *, title: str, due_on: date, by: User, now: datetime
) -> Milestone:
    """Staff add an ad-hoc milestone (e.g. a demo day) to a laureate's timeline."""
    title = _written(title, refusal=_("Donnez un intitulé au jalon."))
    if due_on is None:
        raise TransitionError(_("Donnez une échéance au jalon."))
    with transaction.atomic(durable=True):
        milestone = Milestone.objects.create(
            laureate=laureate,
            kind=MilestoneKind.ADHOC,
            title=title[:200],
            due_on=due_on,
            created_at=now,
        )
        audit.record(by, "milestone.add", milestone, after=due_on.isoformat(), at=now)
        lateness.refresh([laureate.pk], now=now)
    return milestone


def skip_milestone(milestone: Milestone, *, reason: str, by: User, now: datetime) -> None:
    """Staff set a milestone aside with a reason: it owes nothing and is no longer late."""
    reason = _written(reason, refusal=_("Indiquez le motif pour écarter ce jalon."))
    with transaction.atomic(durable=True):
        _close(milestone, skipped_at=now, skip_reason=reason)
        audit.record(by, "milestone.skip", milestone, after="skipped", reason=reason, at=now)
        lateness.refresh([milestone.laureate_id], now=now)
    milestone.skipped_at, milestone.skip_reason = now, reason


def restore_milestone(milestone: Milestone, *, by: User, now: datetime) -> None:
    """Undo a skip: the milestone is due again on its own date (late if that has passed)."""
    with transaction.atomic(durable=True):
        updated = Milestone.objects.filter(pk=milestone.pk, skipped_at__isnull=False).update(
            skipped_at=None, skip_reason=""
        )
        if not updated:
            raise TransitionError(_("Ce jalon n'est pas écarté."))
        audit.record(by, "milestone.restore", milestone, before="skipped", at=now)
        lateness.refresh([milestone.laureate_id], now=now)
    milestone.skipped_at, milestone.skip_reason = None, ""


# --- Reports -----------------------------------------------------------------------------------

# The longest a report's free text may be (the form says so next to each field).
REPORT_TEXT_MAX = 5000

REPORT_FIELDS = ("period_start", "period_end", "results", "next_steps", "blockers", "status")


def _locked_report(
    milestone: Milestone, *, by: User, now: datetime, loaded: str | None = None
) -> Report:
    """The milestone's report, created as an empty draft if needed, locked for this change;
    refused if saved since the form was loaded with the version token `loaded`."""
    Milestone.objects.select_for_update().filter(pk=milestone.pk).first()
    report = Report.objects.select_for_update().filter(milestone=milestone).first()
    refuse_if_moved(report.updated_at if report else None, loaded)
    if report is None:
        report = Report.objects.create(
            milestone=milestone,
            period_start=milestone.period_start or milestone.due_on,
            period_end=milestone.period_end or milestone.due_on,
            updated_at=now,
            updated_by=by,
        )
    return report


def _require_team_and_started(
    milestone: Milestone, *, by: User, now: datetime, period_start: date | None = None
) -> None:
    """Only the laureate's team writes and files its reports, and only for a period that has
    started (`period_start` as typed, else the milestone's; a milestone without a period, added
    by staff, is written before its due date)."""
    if not writes_reports(by, milestone):
        raise TransitionError(_("Seule l'équipe du lauréat rédige et dépose ses points d'étape."))
    start = period_start or milestone.period_start
    if start is not None and start > timezone.localdate(now):
        raise TransitionError(
            _("Cette période n'a pas encore commencé : son point d'étape s'écrit dès le %(date)s.")
            % {"date": formats.date_format(start)}
        )


def _check_report(milestone: Milestone, data: dict, values: dict, *, by: User, now) -> None:
    _require_team_and_started(milestone, by=by, now=now, period_start=data.get("period_start"))
    if milestone.kind != MilestoneKind.REPORT:
        raise TransitionError(_("Ce jalon n'attend pas de point d'étape."))
    unknown = set(data) - set(REPORT_FIELDS)
    if unknown:
        raise TransitionError(_("Champs inconnus : %(f)s.") % {"f": ", ".join(sorted(unknown))})
    start = data.get("period_start")
    end = data.get("period_end")
    if start and end and end < start:
        raise TransitionError(_("La fin de la période doit venir après son début."))
    for field in ("results", "next_steps", "blockers"):
        if len(data.get(field) or "") > REPORT_TEXT_MAX:
            raise TransitionError(
                _("Chaque texte du point d'étape compte 5 000 caractères au plus.")
            )
    if data.get("status") and data["status"] not in ReportStatus.values:
        raise TransitionError(_("État du projet inconnu."))
    allowed = set(
        Indicator.objects.filter(programme_id=milestone.laureate.cohort.programme_id).values_list(
            "pk", flat=True
        )
    )
    if set(values) - allowed:
        raise TransitionError(_("Cet indicateur n'est pas celui du programme."))


def _write_draft(
    milestone: Milestone, data: dict, values: dict, *, by: User, now: datetime, loaded=None
):
    """Write the draft's fields and values, inside the caller's transaction."""
    report = _locked_report(milestone, by=by, now=now, loaded=loaded)
    if report.is_submitted:
        raise TransitionError(_("Ce point d'étape est déjà déposé : il ne change plus."))
    if Milestone.objects.filter(pk=milestone.pk, skipped_at__isnull=False).exists():
        raise TransitionError(_("Ce jalon a été écarté : il n'attend plus de point d'étape."))
    changes = {k: v for k, v in data.items() if v is not None or k == "status"}
    changes["status"] = changes.get("status") or ""
    for field, value in changes.items():
        setattr(report, field, value)
    report.updated_at, report.updated_by = now, by
    report.save()
    for indicator_id, value in values.items():
        if value is None:
            IndicatorValue.objects.filter(report=report, indicator_id=indicator_id).delete()
        else:
            IndicatorValue.objects.update_or_create(
                report=report, indicator_id=indicator_id, defaults={"value": value}
            )
    return report


def save_report(
    milestone: Milestone,
    *,
    data: dict,
    values: dict[int, Decimal | None],
    by: User,
    now: datetime,
    loaded: str | None = None,
) -> Report:
    """Save the team's draft report: its fields and the indicators' values (None clears one).
    With `loaded` (the version token the form was loaded with), refused if saved since."""
    _check_report(milestone, data, values, by=by, now=now)
    with transaction.atomic(durable=True):
        return _write_draft(milestone, data, values, by=by, now=now, loaded=loaded)


def _submit(milestone: Milestone, report: Report | None, *, by: User, now: datetime) -> Report:
    """File `report` (locked by the caller's transaction): the milestone is done."""
    if report is None:
        raise TransitionError(_("Enregistrez d'abord le point d'étape."))
    if report.is_submitted:
        raise TransitionError(_("Ce point d'étape est déjà déposé."))
    missing = [
        label
        for field, label in (
            ("results", _("les résultats")),
            ("next_steps", _("les prochaines étapes")),
            ("status", _("l'état du projet")),
        )
        if not getattr(report, field).strip()
    ]
    if missing:
        raise TransitionError(
            _("Pour déposer, complétez %(fields)s.") % {"fields": ", ".join(missing)}
        )
    _close(milestone, done_at=now)
    report.submitted_at, report.submitted_by = now, by
    report.save(update_fields=["submitted_at", "submitted_by"])
    audit.record(
        by, "report.submit", report, before="draft", after="submitted", reason=report.status,
        at=now,
    )  # fmt: skip
    milestone.done_at = now
    lateness.refresh([milestone.laureate_id], now=now)
    laureate = milestone.laureate
    words = {**_report_words(report), "name": by.get_full_name() or by.email}
    readers = [*report_team(laureate), *([laureate.coach] if laureate.coach else [])]
    tell_people(
        [user for user in readers if user.is_active],
        GENERIC_MAIL,
        {
            "subject": _("Point d'étape déposé — %(milestone)s, %(laureate)s") % words,
            "lines": [
                _(
                    "%(name)s a déposé le point d'étape « %(milestone)s » de %(laureate)s "
                    "(du %(start)s au %(end)s)."
                )
                % words
            ],
            "link": _report_link(report),
            "link_label": _("Lire le point d'étape"),
        },
        event_key=f"report-submit:{report.pk}",
    )
    return report


def submit_report(milestone: Milestone, *, by: User, now: datetime) -> Report:
    """File the saved draft: the milestone is done, the coach may comment; it no longer changes."""
    with transaction.atomic(durable=True):
        report = Report.objects.select_for_update().filter(milestone=milestone).first()
        _require_team_and_started(milestone, by=by, now=now)
        return _submit(milestone, report, by=by, now=now)


def file_report(
    milestone: Milestone,
    *,
    data: dict,
    values: dict[int, Decimal | None],
    by: User,
    now: datetime,
    loaded: str | None = None,
) -> Report:
    """Save what the team typed and file it, in one transaction: a refused filing saves
    nothing, so the page shows the refusal with what was typed. With `loaded`, refused if
    saved since the form was loaded (a team mate, another tab)."""
    _check_report(milestone, data, values, by=by, now=now)
    with transaction.atomic(durable=True):
        report = _write_draft(milestone, data, values, by=by, now=now, loaded=loaded)
        return _submit(milestone, report, by=by, now=now)


def _report_link(report: Report) -> str:
    milestone = report.milestone
    return reverse(
        "cohorts:report", kwargs={"slug": milestone.laureate.cohort.slug, "pk": milestone.pk}
    )


def report_team(laureate: Laureate) -> list[User]:
    """The people a laureate's report is told to: its intrapreneur and its team."""
    return list(User.objects.filter(pk__in=team_ids(laureate), is_active=True).order_by("pk"))


def _report_words(report: Report) -> dict:
    milestone = report.milestone
    return {
        "laureate": milestone.laureate.name,
        "milestone": milestone.title,
        "start": formats.date_format(report.period_start, "j F Y"),
        "end": formats.date_format(report.period_end, "j F Y"),
    }


def comment_report(report: Report, *, text: str, by: User, now: datetime) -> None:
    """The coach comments a submitted report (a later comment replaces the earlier one);
    the laureate's team is told by mail and may answer under the report."""
    text = _written(text, refusal=_("Le commentaire est vide."))
    with transaction.atomic(durable=True):
        updated = Report.objects.filter(pk=report.pk, submitted_at__isnull=False).update(
            coach_comment=text, commented_at=now, commented_by=by
        )
        if not updated:
            raise TransitionError(_("Le coach commente un point d'étape une fois déposé."))
        entry = audit.record(by, "report.comment", report, after="commented", at=now)
        report = Report.objects.select_related("milestone__laureate__cohort").get(pk=report.pk)
        words = _report_words(report)
        tell_people(
            report_team(report.milestone.laureate),
            GENERIC_MAIL,
            {
                "subject": _("Commentaire de votre coach — %(milestone)s, %(laureate)s") % words,
                "lines": [
                    _(
                        "%(coach)s a commenté votre point d'étape « %(milestone)s » "
                        "(du %(start)s au %(end)s) :"
                    )
                    % {**words, "coach": by.get_full_name() or by.email}
                ],
                "quote": text,
                "link": _report_link(report),
                "link_label": _("Lire et répondre sous le point d'étape"),
            },
            event_key=f"report-comment:{entry.pk}",
        )
    report.coach_comment, report.commented_at, report.commented_by = text, now, by


REPORT_MESSAGE_MAX = 5000


def answer_report(report: Report, *, body: str, by: User, now: datetime) -> ReportMessage:
    """A message in the thread under a submitted report: from the team (to its coach), or
    from the coach or the programme's staff (to the team). The other side is told by mail.
    The view checks that `by` reads the report; this checks which side they are on."""
    body = _written(body, refusal=_("Le message est vide."))
    if len(body) > REPORT_MESSAGE_MAX:
        raise TransitionError(_("Le message dépasse 5 000 caractères : raccourcissez-le."))
    with transaction.atomic(durable=True):
        # Only the report's row is locked (the coach is a nullable join PostgreSQL cannot lock).
        report = (
            Report.objects.select_for_update(of=("self",))
            .select_related("milestone__laureate__cohort__programme", "milestone__laureate__coach")
            .get(pk=report.pk)
        )
        laureate = report.milestone.laureate
        if not report.is_submitted:
            raise TransitionError(_("On répond sous un point d'étape une fois déposé."))
        from_team = writes_reports(by, laureate)
        if not from_team and not rules.has_perm("cohorts.comment_report", by, laureate):
            raise TransitionError(
                _("Seuls l'équipe du lauréat, son coach et l'équipe du programme écrivent ici.")
            )
        message = ReportMessage.objects.create(
            report=report, author=by, body=body, from_team=from_team, created_at=now
        )
        audit.record(by, "report.message", report, at=now)
        if from_team:
            readers = [u for u in (laureate.coach, report.commented_by) if u is not None]
        else:
            readers = report_team(laureate)
        readers = [u for u in readers if u.pk != by.pk and u.is_active]
        words = _report_words(report)
        tell_people(
            readers,
            GENERIC_MAIL,
            {
                "subject": _("Nouveau message — %(milestone)s, %(laureate)s") % words,
                "lines": [
                    _("%(name)s a écrit sous le point d'étape « %(milestone)s » :")
                    % {**words, "name": by.get_full_name() or by.email}
                ],
                "quote": body,
                "link": _report_link(report),
                "link_label": _("Répondre sous le point d'étape"),
            },
            event_key=f"report-message:{message.pk}",
        )
    return message


# --- Reviews and the final committee -----------------------------------------------------------


def hold_review(milestone: Milestone, *, notes: str, by: User, now: datetime) -> None:
    """Staff record that the mid-term review (or an ad-hoc milestone) took place."""
    if milestone.kind not in MilestoneKind.review_kinds:
        raise TransitionError(_("Ce jalon se clôt autrement (point d'étape ou comité final)."))
    notes = _written(notes, refusal=_("Écrivez le compte rendu de la revue."))
    with transaction.atomic(durable=True):
        _close(milestone, done_at=now, notes=notes)
        audit.record(by, "milestone.done", milestone, after="done", reason=notes, at=now)
        lateness.refresh([milestone.laureate_id], now=now)
    milestone.done_at, milestone.notes = now, notes


# The phase the laureate goes to with each decision (CONTINUE: the phase staff choose).
OUTCOME_PHASE = {FinalOutcome.PERMANENT: Phase.PERMANENT, FinalOutcome.ABANDON: Phase.ABANDONED}


def decide_final(
    milestone: Milestone,
    *,
    outcome: str,
    reasons: str,
    by: User,
    now: datetime,
    next_phase: str = "",
) -> None:
    """The final committee's decision: pérennisé, a new phase, or abandon, with its reasons.

    The laureate moves to the phase that follows; both the decision and the phase change are
    in the audit log with the reasons.
    """
    if milestone.kind != MilestoneKind.FINAL:
        raise TransitionError(_("Seul le comité final décide de la suite."))
    if outcome not in FinalOutcome.values:
        raise TransitionError(_("Décision inconnue."))
    reasons = _written(reasons, refusal=_("Motivez la décision du comité."))
    if outcome == FinalOutcome.CONTINUE:
        if next_phase not in Phase.continuing_phases:
            raise TransitionError(_("Choisissez la phase dans laquelle le lauréat poursuit."))
        phase = next_phase
    else:
        phase = OUTCOME_PHASE[outcome]
    with transaction.atomic(durable=True):
        laureate = Laureate.objects.select_for_update().get(pk=milestone.laureate_id)
        _close(
            milestone,
            done_at=now,
            outcome=outcome,
            next_phase=phase,
            notes=reasons,
            refusal=_("Le comité final de ce lauréat a déjà rendu sa décision."),
        )
        before = laureate.phase
        if before != phase:
            Laureate.objects.filter(pk=laureate.pk).update(phase=phase, updated_at=now)
        audit.record(by, "laureate.final_decision", laureate, before=before, after=phase,
                     reason=f"{FinalOutcome(outcome).label} — {reasons}", at=now)  # fmt: skip
        audit.record(by, "milestone.done", milestone, after=outcome, reason=reasons, at=now)
        lateness.refresh([milestone.laureate_id], now=now)
    milestone.done_at, milestone.outcome, milestone.next_phase = now, outcome, phase
    milestone.notes = reasons
    milestone.laureate.phase = phase
