"""The reminders: what each rule owes, the ledger, the periodic scan, the grouped mail.

Each app says what it owes: the app owning the objects registers a `Rule` per kind
(`register`, from its `AppConfig.ready`): `projects.reminders` for drafts, receipts, jurors,
auditions and decisions, `cohorts.reminders` for the follow-up milestones. This module
writes what the rules owe into the ledger (`programme.models.Reminder`) and sends it, one
mail per person, as every mail is delivered (`programme.delivery`).

A reminder goes out once whatever retries, a beat firing twice or two workers do:
- the ledger row is unique per (kind, object, recipient, deadline), so writing what is owed
  twice writes nothing the second time;
- the send is queued after the commit that wrote the row, so a task never looks for a row
  that is not there, and a broker outage leaves the row pending for the next scan;
- a send task first claims its rows with one conditional UPDATE (pending → sending, with its
  own token) and sends only what it claimed, so two tasks for the same rows send one mail.
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from . import audit, delivery, letters, mail
from .enums import ReminderKind, ReminderState
from .exceptions import TransitionError
from .models import Reminder, User

logger = logging.getLogger(__name__)

PARIS = ZoneInfo("Europe/Paris")
# People whose mails one task sends (see `_queue`).
QUEUE_CHUNK = 50
# Rows marked sent per UPDATE of the ledger by a delivery batch.
LEDGER_FLUSH = 100


@dataclass(frozen=True)
class Owed:
    """One reminder owed: the future ledger row."""

    kind: str
    content_type_id: int
    object_id: int
    recipient_id: int
    due: datetime
    call_id: int | None = None
    cohort_id: int | None = None


@dataclass(frozen=True)
class Rule:
    """A kind of reminder: its query, whether people may opt out, and how the mail says it."""

    kind: ReminderKind
    # Optional nudges respect `User.wants_nudges`; notices of deadlines and decisions don't.
    optional: bool
    select: Callable[[datetime], Iterable[Owed]]
    # Whether a row written earlier still deserves a mail at sending time (the draft may
    # have been submitted, or the deadline passed, while the broker was down).
    still_owed: Callable[[models.Model, datetime], bool]
    # The sentence of the mail, with {title}, {edition} and {deadline} (and `words`).
    sentence: str
    action: str
    # More words for the sentence and the subject, read from the object at sending time.
    words: Callable[[models.Model], dict] | None = None
    # Lines (label, value) printed under the sentence, e.g. a receipt's reference and hash.
    details: Callable[[models.Model], list[tuple[str, str]]] | None = None
    # The subject when the mail holds this reminder alone; else "Rappel : <kind>".
    subject: str = ""
    # The page the mail links to (a path); else the object's own page (`link_to`).
    link: Callable[[models.Model], str] | None = None
    # Files joined to the mail for the object: (name, content, MIME type).
    attachments: Callable[[models.Model, datetime], list[tuple[str, str, str]]] | None = None


def link_to(obj: models.Model | None) -> str:
    """The page of the object if it has one yet, else the person's own space."""
    try:
        return obj.get_absolute_url()
    except (AttributeError, NoReverseMatch):
        return reverse("dashboard")


# The rules of every kind, registered by the apps owning their objects.
RULES: dict[str, Rule] = {}


def register(*rules: Rule) -> None:
    """Add rules to the scan (each app calls it once, from its `AppConfig.ready`)."""
    for rule in rules:
        RULES[rule.kind] = rule


# Steps an app runs in each scan, before the reminders are written: state that changes with
# the date alone (e.g. the follow-up's lateness, `cohorts.services.lateness`).
SCAN_STEPS: list[Callable[..., object]] = []


def register_scan_step(step: Callable[..., object]) -> None:
    """Run `step(now=...)` in each scan's transaction (each app calls it once)."""
    if step not in SCAN_STEPS:
        SCAN_STEPS.append(step)


def owed_at(now: datetime) -> Iterable[Owed]:
    """Every reminder owed at `now`, all kinds together (one query per kind)."""
    for rule in RULES.values():
        yield from rule.select(now)


@dataclass(frozen=True)
class ScanResult:
    queued_reminders: int
    queued_recipients: int


@dataclass(frozen=True)
class DigestOutcome:
    """What sending one person's grouped reminders did."""

    sent: int = 0
    cancelled: int = 0
    failed: int = 0
    # Seconds before the task should try again; None when nothing is left to retry.
    retry_in: int | None = None


def scan_reminders(*, now: datetime) -> ScanResult:
    """Write every reminder owed at `now` into the ledger and queue one mail per recipient.

    Safe to run twice or concurrently: owed rows already written are skipped by the unique
    key, and rows already queued within `delivery.REQUEUE_AFTER` are not queued again.
    """
    with transaction.atomic(durable=True):
        delivery.release_stale(Reminder.objects.all(), now=now)
        for step in SCAN_STEPS:
            step(now=now)
        _write(owed_at(now), now=now)
        batches = _take_due(now=now)
        _queue(batches)
    return ScanResult(
        queued_reminders=sum(len(ids) for ids in batches.values()),
        queued_recipients=len(batches),
    )


def owe_reminders(owed: Iterable[Owed], *, now: datetime) -> None:
    """Write reminders owed now by another workflow (e.g. a receipt) and queue their mail.

    Runs inside the caller's transaction, so the row and the queued send commit together
    with the caller's change; with the broker down, the row waits for the next scan.
    """
    owed = list(owed)
    with transaction.atomic():
        _write(owed, now=now)
        _queue(_take_due(now=now, recipient_ids={o.recipient_id for o in owed}))


def _write(owed: Iterable[Owed], *, now: datetime) -> None:
    rows = [
        Reminder(
            kind=o.kind,
            content_type_id=o.content_type_id,
            object_id=o.object_id,
            recipient_id=o.recipient_id,
            due=o.due,
            call_id=o.call_id,
            cohort_id=o.cohort_id,
            next_attempt_at=now,
            created_at=now,
        )
        for o in owed
    ]
    Reminder.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


def _take_due(*, now: datetime, recipient_ids=None) -> dict[int, list[int]]:
    """The pending rows to queue now, by recipient; they are not queued again for a while."""
    rows = Reminder.objects.all()
    if recipient_ids is not None:
        rows = rows.filter(recipient_id__in=recipient_ids)
    batches: dict[int, list[int]] = defaultdict(list)
    for pk, recipient_id in delivery.take_due(rows, now=now, fields=("recipient_id",)):
        batches[recipient_id].append(pk)
    return dict(batches)


def _queue(batches: dict[int, list[int]]) -> None:
    """Queue the mails at commit, QUEUE_CHUNK people per task: one publish to the broker per
    chunk rather than per person (10,000 people: 200 publishes, not 10,000), and the worker
    sends a chunk's mails over one connection to the mail server."""
    from .tasks import send_reminder_batch

    items = [[recipient_id, ids] for recipient_id, ids in batches.items()]
    for start in range(0, len(items), QUEUE_CHUNK):
        delivery.queue_at_commit(
            partial(send_reminder_batch.delay, batches=items[start : start + QUEUE_CHUNK])
        )


def deliver_reminders(
    *, recipient_id: int, reminder_ids: list[int], now: datetime, mailer=None
) -> DigestOutcome:
    """Claim the given pending reminders of one person, send them as one mail, record it.

    Rows another task has claimed or already sent are left alone. When the mail server
    refuses, the rows go back to pending with the error and a back-off, or to failed after
    `delivery.MAX_ATTEMPTS`; the returned `retry_in` tells the task when to try again.
    `mailer`, an open mail connection, is reused by a task sending several people's mails.
    """
    results = deliver_reminder_batches([[recipient_id, reminder_ids]], now=now, mailer=mailer)
    return results[0][2] if results else DigestOutcome()


def deliver_reminder_batches(
    batches: list, *, now: datetime, mailer=None
) -> list[tuple[int, list[int], DigestOutcome]]:
    """`deliver_reminders` for several people at once, as the worker gets them from the scan
    (`[recipient_id, reminder_ids]` pairs): their rows are claimed, read and their objects
    loaded in one query each for the whole batch, the mail templates compiled once, then
    each person's mail is sent; the rows sent are marked in bulk, one UPDATE per
    `LEDGER_FLUSH` rows (issue 16: one UPDATE per person capped the rate near 150 a
    second). A worker that dies mid-batch leaves its unmarked rows claimed: after
    `MAIL_STALE_CLAIM_MINUTES` they are pending again and sent again, so such a crash may
    send at most `LEDGER_FLUSH` reminders twice.
    Returns (recipient_id, reminder_ids, DigestOutcome) per person who had rows to send.
    """
    ids = [pk for _recipient, pks in batches for pk in pks]
    token, _claimed = delivery.claim(
        Reminder.objects.filter(
            pk__in=ids, recipient_id__in=[recipient for recipient, _pks in batches]
        ),
        now=now,
    )
    rows = list(
        Reminder.objects.filter(claim=token, state=ReminderState.SENDING)
        .select_related("recipient", "call", "cohort")
        .order_by("recipient_id", "due", "pk")
    )
    objects = _load_objects(rows)
    by_person: dict[int, list[Reminder]] = defaultdict(list)
    for row in rows:
        by_person[row.recipient_id].append(row)
    results, dropped, sent = [], [], []
    renderer = mail.Renderer("reminders") if by_person else None
    with translation.override("fr"):
        for recipient_id, own in by_person.items():
            keep, drop = _sort_out(own, objects, now)
            dropped.extend(row.pk for row, _obj in drop)
            pks = [row.pk for row, _obj in keep]
            if not keep:
                results.append((recipient_id, pks, DigestOutcome(cancelled=len(drop))))
                continue
            try:
                _send_mail(own[0].recipient, keep, now=now, mailer=mailer, renderer=renderer)
            except OSError as error:  # smtplib.SMTPException, refused connections, timeouts
                if mailer is not None:
                    mailer.close()  # the connection may be broken: the next mail opens its own
                retry_in = delivery.record_failure(
                    Reminder.objects.filter(pk__in=pks, claim=token), error, now=now
                )
                results.append((recipient_id, pks, _refused(retry_in, cancelled=len(drop))))
                continue
            sent.extend(pks)
            if len(sent) >= LEDGER_FLUSH:
                delivery.record_sent(Reminder.objects.filter(pk__in=sent, claim=token), now=now)
                sent = []
            results.append((recipient_id, pks, DigestOutcome(sent=len(keep), cancelled=len(drop))))
    if sent:
        delivery.record_sent(Reminder.objects.filter(pk__in=sent, claim=token), now=now)
    if dropped:
        Reminder.objects.filter(pk__in=dropped, claim=token).update(
            state=ReminderState.CANCELLED, claim=None
        )
    return results


def _sort_out(rows: list[Reminder], objects: dict, now: datetime):
    """One person's claimed rows split into those still owed and those no longer owed."""
    keep, drop = [], []
    for row in rows:
        obj = objects.get((row.content_type_id, row.object_id))
        rule = RULES.get(row.kind)
        owed = (
            obj is not None
            and rule is not None
            and row.recipient.is_active
            and (row.recipient.wants_nudges or not rule.optional)
            and rule.still_owed(obj, now)
        )
        (keep if owed else drop).append((row, obj))
    return keep, drop


def _refused(retry_in: int | None, *, cancelled: int) -> DigestOutcome:
    if retry_in is None:
        return DigestOutcome(failed=1, cancelled=cancelled)
    return DigestOutcome(cancelled=cancelled, retry_in=retry_in)


def _load_objects(rows: list[Reminder]) -> dict[tuple[int, int], object]:
    """The objects the rows speak of: one query per content type, with what the rules read."""
    wanted: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        wanted[row.content_type_id].add(row.object_id)
    objects = {}
    for content_type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            continue
        queryset = model._base_manager.all()
        fields = {f.name for f in model._meta.concrete_fields}
        if "call" in fields:
            queryset = queryset.select_related("call")
        elif "proposal" in fields:
            queryset = queryset.select_related("proposal__call")
        if "laureate" in fields:
            queryset = queryset.select_related("laureate__cohort")
        for pk, obj in queryset.in_bulk(ids).items():
            objects[(content_type_id, pk)] = obj
    return objects


def deadline_in_paris(value: datetime) -> str:
    """A deadline as French readers expect it: "lundi 30 novembre 2026 à 12h00"."""
    with translation.override("fr"):
        return formats.date_format(timezone.localtime(value, PARIS), r"l j F Y à H\hi")


def _programme_id(row: Reminder) -> int | None:
    if row.call_id:
        return row.call.programme_id
    if row.cohort_id:
        return row.cohort.programme_id
    return None


def _placeholders(recipient: User, row: Reminder, words: dict) -> dict:
    """The values of a programme letter's placeholders for one reminder."""
    return {
        "prénom": recipient.first_name,
        "nom": recipient.last_name,
        "appel": words.get("edition", ""),
        "titre": words.get("title", ""),
        "référence": words.get("reference", ""),
        "date_limite": words.get("deadline", ""),
        "lieu": words.get("place", ""),
        "durée": words.get("minutes", ""),
        "promotion": row.cohort.label if row.cohort_id else "",
    }


def _send_mail(
    recipient: User,
    rows: list[tuple[Reminder, object]],
    *,
    now: datetime,
    mailer=None,
    renderer: "mail.Renderer | None" = None,
) -> None:
    items, files = [], []
    # The programmes' own words for these letters (`programme.letters`), in one query.
    own_letters = letters.overrides(_programme_id(row) for row, _obj in rows)
    for row, obj in rows:
        rule = RULES[row.kind]
        words = {
            "title": str(obj),
            "edition": row.call.edition if row.call else "",
            "deadline": deadline_in_paris(row.due),
            **(rule.words(obj) if rule.words else {}),
        }
        path = rule.link(obj) if rule.link else link_to(obj)
        subject = rule.subject.format(**words) if rule.subject else words.get("subject", "")
        sentence = rule.sentence.format(**words)
        own = own_letters.get((_programme_id(row), row.kind))
        if own is not None:
            values = _placeholders(recipient, row, words)
            subject, sentence = letters.fill(own.subject, values), letters.fill(own.body, values)
        items.append(
            {
                "kind": row.get_kind_display(),
                "subject": subject,
                "sentence": sentence,
                "details": rule.details(obj) if rule.details else [],
                "deadline": words["deadline"],
                "action": rule.action,
                "url": settings.SITE_URL + path,
            }
        )
        if rule.attachments:
            files.extend(rule.attachments(obj, now))
    renderer = renderer or mail.Renderer("reminders")
    with translation.override("fr"):
        subject, text, html = renderer.render({"recipient": recipient, "items": items})
    message = delivery.compose([recipient.email], subject, text, html, files)
    if mailer is None:
        message.send()
    else:
        mailer.send_messages([message])


def resend_reminder(reminder: Reminder, *, by: User, now: datetime) -> None:
    """Send a failed reminder again: back to pending with fresh attempts, queued at commit."""
    with transaction.atomic(durable=True):
        if not delivery.resend(Reminder.objects.filter(pk=reminder.pk), now=now):
            raise TransitionError(_("Seul un rappel en échec peut être renvoyé."))
        audit.record(
            by,
            "reminder.resend",
            reminder,
            before=ReminderState.FAILED,
            after=ReminderState.PENDING,
            at=now,
        )
        _queue({reminder.recipient_id: [reminder.pk]})
