"""Grouped messages (writes): a draft saved for review, then sent once per person.

Sending writes one mail per recipient through the one delivery ledger (`mail.send`) with the
key `group-message:<message>:<person>`: sending again (a second click, a second tab, new
teams since) writes only to who has not received it yet, never twice to the same person.
"""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from . import audit, letters, mail
from .enums import GroupMessageState
from .exceptions import TransitionError
from .models import GroupMessage, LetterTemplate, User
from .queries import AUDIENCE_PLACEHOLDERS, group_recipients
from .rules import is_programme_staff


def _require_staff(message: GroupMessage, by: User) -> None:
    if not (by.is_superuser or is_programme_staff(by, message.programme)):
        raise TransitionError(_("Seule l'équipe du programme écrit à ses groupes."))


def placeholder_errors(message: GroupMessage) -> dict[str, list[str]]:
    """The French errors of the subject's and the body's placeholders, by field."""
    available = AUDIENCE_PLACEHOLDERS.get(message.audience, [])
    errors = {
        "subject": letters.check(message.subject, available),
        "body": letters.check(message.body, available),
    }
    return {name: found for name, found in errors.items() if found}


@transaction.atomic(durable=True)
def save_draft(message: GroupMessage, *, by: User, now: datetime) -> GroupMessage:
    """Save a new or edited draft (not once sent)."""
    _require_staff(message, by)
    if message.pk is not None:
        stored = GroupMessage.objects.select_for_update().get(pk=message.pk)
        if stored.state != GroupMessageState.DRAFT:
            raise TransitionError(_("Ce message est déjà envoyé : il ne se modifie plus."))
    errors = placeholder_errors(message)
    if errors:
        raise TransitionError(" ".join(e for found in errors.values() for e in found))
    created = message.pk is None
    if created:
        message.created_by, message.created_at = by, now
    message.updated_at = now
    message.save()
    if created:
        audit.record(by, "group_message.draft", message.programme, reason=message.subject, at=now)
    return message


@transaction.atomic(durable=True)
def send_group_message(message: GroupMessage, *, by: User, now: datetime) -> int:
    """Mail the message to each recipient, placeholders filled; returns how many mails were
    written now (0 when everyone already has it)."""
    _require_staff(message, by)
    locked = GroupMessage.objects.select_for_update().get(pk=message.pk)
    locked.programme, locked.call, locked.cohort = message.programme, message.call, message.cohort
    if placeholder_errors(locked):
        raise TransitionError(_("Corrigez les espaces réservés du message avant de l'envoyer."))
    recipients = group_recipients(locked)
    if not recipients:
        raise TransitionError(_("Ce groupe n'a aucun destinataire pour l'instant."))
    written = 0
    for person, values in recipients:
        sent = mail.send(
            [person.email],
            "group_message",
            {
                "subject": letters.fill(locked.subject, values),
                "body": letters.fill(locked.body, values),
                "programme": locked.programme,
            },
            key=f"group-message:{locked.pk}:{person.pk}",
        )
        written += sent is not None
    if locked.state == GroupMessageState.DRAFT:
        locked.state, locked.sent_at = GroupMessageState.SENT, now
    locked.sent_count += written
    locked.save(update_fields=["state", "sent_at", "sent_count"])
    if written:
        audit.record(
            by,
            "group_message.send",
            locked.programme,
            reason=_("« %(subject)s », %(n)s destinataire(s)")
            % {"subject": locked.subject, "n": written},
            at=now,
        )
    message.state, message.sent_at, message.sent_count = (
        locked.state,
        locked.sent_at,
        locked.sent_count,
    )
    return written


# --- The programme's letters ---------------------------------------------------------------


@transaction.atomic(durable=True)
def save_letter(programme, letter: str, *, subject: str, body: str, by: User, now: datetime):
    """Write the programme's own subject and text of one of its letters."""
    if not (by.is_superuser or is_programme_staff(by, programme)):
        raise TransitionError(_("Seule l'équipe du programme modifie ses courriers."))
    if letter not in letters.LETTERS:
        raise TransitionError(_("Ce courrier n'existe pas."))
    available = letters.LETTERS[letter].placeholders
    errors = letters.check(subject, available) + letters.check(body, available)
    if errors:
        raise TransitionError(" ".join(errors))
    before = (
        LetterTemplate.objects.select_for_update()
        .filter(programme=programme, letter=letter)
        .first()
    )
    old_subject, old_body = (
        (before.subject, before.body)
        if before
        else (str(letters.LETTERS[letter].subject), str(letters.LETTERS[letter].body))
    )
    template, _created = LetterTemplate.objects.update_or_create(
        programme=programme,
        letter=letter,
        defaults={"subject": subject, "body": body, "updated_by": by, "updated_at": now},
    )
    changes = {
        name: [old, new]
        for name, old, new in (("subject", old_subject, subject), ("body", old_body, body))
        if old != new
    }
    audit.record(
        by,
        "programme.template_edit",
        programme,
        reason=str(letters.LETTERS[letter].label),
        changes=changes,
        at=now,
    )
    return template


@transaction.atomic(durable=True)
def reset_letter(programme, letter: str, *, by: User, now: datetime) -> None:
    """Go back to the portal's default text of a letter."""
    if not (by.is_superuser or is_programme_staff(by, programme)):
        raise TransitionError(_("Seule l'équipe du programme modifie ses courriers."))
    deleted, _rows = LetterTemplate.objects.filter(programme=programme, letter=letter).delete()
    if not deleted:
        raise TransitionError(_("Ce courrier utilise déjà le texte par défaut."))
    audit.record(
        by,
        "programme.template_reset",
        programme,
        reason=str(letters.LETTERS[letter].label),
        at=now,
    )
