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
    at: datetime | None = None,
) -> AuditEntry:
    """Write who did `action` to `obj`, from state `before` to `after`, and why."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        from_state=before or "",
        to_state=after or "",
        reason=reason or "",
        at=at or timezone.now(),
    )


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
