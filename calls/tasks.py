from celery import shared_task
from django.utils import timezone

from . import services


@shared_task
def close_due_calls() -> int:
    """Beat task: write down the closing of published calls past their deadline."""
    return len(services.close_due_calls(now=timezone.now()))
