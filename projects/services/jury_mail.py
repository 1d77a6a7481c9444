"""Every mail the jury's work owes a juror, in one module.

- `notify_assigned`: one grouped mail per assignment run and juror (what they now evaluate);
- `notify_reopened`: an evaluation reopened by staff, with their reason;
- `notify_discussion_open`: the call's discussion phase opens;
- `send_nudge`: staff remind the late jurors of a call, on demand (a `JuryNudge`);
- `notify_post`: a new message in a proposal's discussion, one mail per post to each other
  participant who may read it (per post rather than a periodic digest: the thread is short
  and a juror answers while the discussion is open);
- `notify_audition_jurors`: the jurors' convocation to an audition, its `.ics` joined.

Each goes through `programme.mail.send` with a key naming the event and the person, so
running the same code twice (a retry, a double click) mails each person once. They run in
the caller's transaction: the mail is written with the change that owes it.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from calls.enums import CallState
from calls.models import Call, JuryMember
from programme import audit, mail
from programme.exceptions import TransitionError
from programme.models import User
from programme.rules import is_programme_staff
from programme.templatetags.french import date_fr
from projects.enums import EvaluationState
from projects.ics import audition_ics
from projects.models import Assignment, Audition, Conflict, DiscussionPost, Evaluation, JuryNudge
from projects.queries import discussion as discussion_queries
from projects.queries import jury as jury_queries

# How many proposals a grouped assignment mail lists by name before "and N more".
LISTED = 15


def _live_assignments(call: Call):
    return Assignment.objects.filter(juror__call=call).exclude(
        Exists(
            Conflict.objects.filter(
                juror_id=OuterRef("juror_id"),
                proposal_id=OuterRef("proposal_id"),
                lifted_at__isnull=True,
            )
        )
    )


def _seats(call: Call, jurors) -> list[JuryMember]:
    ids = [j.pk if isinstance(j, JuryMember) else int(j) for j in jurors]
    return list(
        JuryMember.objects.filter(call=call, pk__in=ids, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )


def _send(user: User, key: str, *, subject, lines, path, action, items=(), quote="", files=()):
    return mail.send(
        [user.email],
        "jury_notice",
        {
            "subject": subject,
            "lines": lines,
            "items": list(items),
            "quote": quote,
            "path": path,
            "action": action,
        },
        key=key,
        attachments=files,
    )


def notify_assigned(call: Call, jurors, *, run_key) -> int:
    """Mail each of `jurors` (seats or their ids) the list of proposals they evaluate on
    the call, once per assignment run (`run_key`, e.g. the run's audit entry id).
    Returns how many mails were written; a juror with nothing to evaluate gets none."""
    written = 0
    by_seat: dict[int, list[str]] = {}
    rows = (
        _live_assignments(call)
        .filter(juror__in=[s.pk for s in _seats(call, jurors)])
        .order_by("proposal__sequence", "proposal_id")
        .values_list("juror_id", "proposal__reference", "proposal__title")
    )
    for juror_id, reference, title in rows:
        by_seat.setdefault(juror_id, []).append(f"{reference} — {title}" if reference else title)
    for seat in _seats(call, by_seat):
        titles = by_seat[seat.pk]
        items = titles[:LISTED]
        if len(titles) > LISTED:
            items.append(_("… et %(n)s autres") % {"n": len(titles) - LISTED})
        count = len(titles)
        lines = [
            ngettext(
                "Une candidature de l'appel %(edition)s vous est confiée pour l'évaluation "
                "écrite :",
                "%(count)s candidatures de l'appel %(edition)s vous sont confiées pour "
                "l'évaluation écrite :",
                count,
            )
            % {"count": count, "edition": call.edition}
        ]
        if call.review_closes_at:
            lines.append(
                _("Évaluations à soumettre avant le %(date)s.")
                % {"date": date_fr(call.review_closes_at, "j F Y à H:i")}
            )
        lines.append(
            _(
                "Si vous êtes en conflit d'intérêts avec l'une d'elles, déclarez-le avant "
                "de la lire."
            )
        )
        sent = _send(
            seat.user,
            f"assigned:{run_key}:{seat.pk}",
            subject=_("Jury %(edition)s : vos candidatures à évaluer") % {"edition": call.edition},
            lines=lines,
            items=items,
            path=reverse("jury:mine", args=[call.slug]),
            action=_("Mes évaluations"),
        )
        written += sent is not None
    return written


def notify_reopened(evaluation: Evaluation, *, reason: str) -> bool:
    """Tell the juror their evaluation is reopened, and why (once per reopening)."""
    assignment = evaluation.assignment
    proposal = assignment.proposal
    call = assignment.juror.call
    sent = _send(
        assignment.juror.user,
        f"reopened:{evaluation.pk}:{evaluation.version}",
        subject=_("Jury %(edition)s : votre évaluation de « %(title)s » est rouverte")
        % {"edition": call.edition, "title": proposal.title},
        lines=[
            _(
                "L'équipe du programme a rouvert votre évaluation de « %(title)s » : vous "
                "pouvez la modifier, puis la soumettre à nouveau. Le motif :"
            )
            % {"title": proposal.title}
        ],
        quote=reason,
        path=reverse("jury:evaluate", kwargs={"public_id": proposal.public_id}),
        action=_("Reprendre mon évaluation"),
    )
    return sent is not None


def notify_discussion_open(call: Call, *, run_key) -> int:
    """Tell every juror with proposals to evaluate that the discussion phase is open."""
    seat_ids = set(_live_assignments(call).values_list("juror_id", flat=True))
    written = 0
    for seat in _seats(call, seat_ids):
        sent = _send(
            seat.user,
            f"discussion-open:{run_key}:{seat.pk}",
            subject=_("Jury %(edition)s : la discussion est ouverte") % {"edition": call.edition},
            lines=[
                _(
                    "La discussion du jury de l'appel %(edition)s est ouverte : une fois votre "
                    "évaluation d'une candidature soumise, vous lisez celles des autres jurés "
                    "et vous échangez avec eux et l'équipe du programme sur sa page."
                )
                % {"edition": call.edition}
            ],
            path=reverse("jury:mine", args=[call.slug]),
            action=_("Mes évaluations"),
        )
        written += sent is not None
    return written


@transaction.atomic(durable=True)
def send_nudge(call: Call, *, by: User, now: datetime, message: str = "") -> JuryNudge:
    """Staff remind the call's late jurors now, each once for this nudge, with the number
    of evaluations they still owe (the preview page lists the same jurors)."""
    if not (by.is_superuser or is_programme_staff(by, call.programme)):
        raise TransitionError(_("Seule l'équipe du programme peut faire cela."))
    locked = Call.objects.select_for_update().get(pk=call.pk)
    if locked.state != CallState.REVIEW:
        raise TransitionError(_("On relance les jurés pendant l'évaluation écrite."))
    late = list(jury_queries.late_seats(locked))
    if not late:
        raise TransitionError(_("Aucun juré n'est en retard : personne à relancer."))
    nudge = JuryNudge.objects.create(
        call=locked, sent_by=by, message=message.strip(), recipients=len(late), sent_at=now
    )
    for seat in late:
        lines = [
            ngettext(
                "Il vous reste %(count)s évaluation à soumettre pour le jury de l'appel "
                "%(edition)s.",
                "Il vous reste %(count)s évaluations à soumettre pour le jury de l'appel "
                "%(edition)s.",
                seat.pending,
            )
            % {"count": seat.pending, "edition": locked.edition}
        ]
        if locked.review_closes_at:
            lines.append(
                _("L'évaluation écrite se termine le %(date)s.")
                % {"date": date_fr(locked.review_closes_at, "j F Y à H:i")}
            )
        _send(
            seat.user,
            f"nudge:{nudge.pk}:{seat.pk}",
            subject=_("Jury %(edition)s : vos évaluations en attente")
            % {"edition": locked.edition},
            lines=lines,
            quote=nudge.message,
            path=reverse("jury:mine", args=[locked.slug]),
            action=_("Mes évaluations"),
        )
    audit.record(
        by,
        "jury.nudge",
        locked,
        reason=", ".join(str(s.user) for s in late),
        changes={"recipients": [0, len(late)]},
        at=now,
    )
    return nudge


def notify_post(post: DiscussionPost) -> int:
    """Mail a new discussion message to each participant who may read it, but its author:
    the proposal's jurors not in conflict whose evaluation is submitted (not for an internal
    note), and the staff who have written in the thread."""
    proposal = post.proposal
    call = proposal.call
    names = discussion_queries.pseudonyms(call)
    path = reverse("jury:discussion", kwargs={"public_id": proposal.public_id})
    readers: list[tuple[User, bool]] = []
    if not post.internal:
        for assignment in discussion_queries.juror_participants(proposal).filter(
            evaluation__state=EvaluationState.SUBMITTED
        ):
            readers.append((assignment.juror.user, False))
    staff_ids = set(
        DiscussionPost.objects.filter(proposal=proposal, from_staff=True).values_list(
            "author_id", flat=True
        )
    )
    readers += [(user, True) for user in User.objects.filter(pk__in=staff_ids, is_active=True)]
    written = 0
    seen = set()
    for user, staff in readers:
        if user.pk == post.author_id or user.pk in seen:
            continue
        seen.add(user.pk)
        author = discussion_queries.signature(post, names, hide=call.hide_juror_names and not staff)
        sent = _send(
            user,
            f"discussion:{post.pk}:{user.pk}",
            subject=_("Discussion du jury : %(ref)s")
            % {"ref": proposal.reference or proposal.title},
            lines=[
                (
                    _("Note interne de %(author)s sur « %(title)s » :")
                    if post.internal
                    else _("%(author)s a écrit dans la discussion sur « %(title)s » :")
                )
                % {"author": author, "title": proposal.title}
            ],
            quote=post.body,
            path=path,
            action=_("Lire la discussion"),
        )
        written += sent is not None
    return written


def notify_audition_jurors(audition: Audition, *, now: datetime) -> int:
    """Convoke the call's jurors not in conflict to an audition, its calendar invitation
    joined; a moved slot (a new `sequence`) is a new convocation that replaces the event."""
    full = Audition.objects.select_related("proposal__call__programme").get(pk=audition.pk)
    proposal = full.proposal
    call = proposal.call
    seats = (
        JuryMember.objects.filter(call=call, user__is_active=True)
        .exclude(conflicts__proposal=proposal, conflicts__lifted_at__isnull=True)
        .select_related("user")
        .order_by("pk")
    )
    ics = mail.Attachment("audition.ics", audition_ics(full, now=now).encode(), "text/calendar")
    place = full.room or full.video_link
    if full.room and full.video_link:
        place = f"{full.room} ({full.video_link})"
    written = 0
    for seat in seats:
        sent = _send(
            seat.user,
            f"audition-juror:{full.pk}:{full.sequence}:{seat.pk}",
            subject=_("Convocation : audition de « %(title)s » le %(date)s")
            % {"title": proposal.title, "date": date_fr(full.starts_at, "j F Y à H:i")},
            lines=[
                _(
                    "Vous êtes convoqué·e à l'audition de « %(title)s » (%(edition)s) le "
                    "%(date)s, durée %(minutes)s minutes, %(place)s."
                )
                % {
                    "title": proposal.title,
                    "edition": call.edition,
                    "date": date_fr(full.starts_at, "j F Y à H:i"),
                    "minutes": full.duration_minutes,
                    "place": place,
                },
                _("L'invitation pour votre agenda est jointe (audition.ics)."),
            ],
            path=reverse("jury:my-auditions", args=[call.slug]),
            action=_("Mes auditions"),
            files=[ics],
        )
        written += sent is not None
    return written
