"""The one function that writes the audit log; every state transition calls it."""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from .models import AuditEntry, User


def record(
    actor: User | None,
    action: str,
    obj: models.Model,
    *,
    before: str = "",
    after: str = "",
    reason: str = "",
    changes: dict | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Write who did `action` to `obj`, from state `before` to `after`, and why.

    `changes` maps each changed field to `[old, new]` (JSON values: format dates and
    amounts with `str()` first), so the journal can say what moved.
    """
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        from_state=before or "",
        to_state=after or "",
        reason=reason or "",
        changes=changes or {},
        at=at or timezone.now(),
    )


def changed_fields(before: models.Model, after: models.Model, fields) -> dict:
    """`{field: [old, new]}` for the `fields` whose value differs between two instances."""
    changes = {}
    for name in fields:
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            changes[name] = [plain(old), plain(new)]
    return changes


def plain(value):
    """A field's value as the journal stores it (JSON): numbers, dates and objects as text."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def record_many(
    actor: User | None,
    action: str,
    objects,
    *,
    before: str = "",
    after: str = "",
    reason: str = "",
    at: datetime | None = None,
) -> list[AuditEntry]:
    """`record` for a bulk change: one entry per object, written in one INSERT."""
    objects = list(objects)
    if not objects:
        return []
    content_type = ContentType.objects.get_for_model(objects[0])
    at = at or timezone.now()
    return AuditEntry.objects.bulk_create(
        AuditEntry(
            actor=actor if actor is not None and actor.is_authenticated else None,
            action=action,
            content_type=content_type,
            object_id=str(obj.pk),
            object_repr=str(obj)[:300],
            from_state=before or "",
            to_state=after or "",
            reason=reason or "",
            at=at,
        )
        for obj in objects
    )


def history(obj: models.Model):
    """The audit entries of one object, newest first."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor")
