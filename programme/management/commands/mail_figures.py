import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from programme.observability import figures


class Command(BaseCommand):
    help = (
        "The figures to monitor: Celery queue length, reminders and mails pending or failed, "
        "age of the oldest pending reminder (--json for a monitoring probe)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="one JSON object")

    def handle(self, *args, **options):
        now = timezone.now()
        data = figures(now)
        if options["json"]:
            oldest = data["oldest_pending_reminder"]
            data["oldest_pending_reminder"] = oldest.isoformat() if oldest else None
            self.stdout.write(json.dumps(data))
            return
        queue = (
            "unknown (no REDIS_URL or Redis unreachable)"
            if data["queue"] is None
            else data["queue"]
        )
        age = data["oldest_pending_minutes"]
        self.stdout.write(f"Celery queue length: {queue}")
        self.stdout.write(f"reminders pending: {data['reminders_pending']}")
        self.stdout.write(f"reminders failed: {data['reminders_failed']}")
        self.stdout.write(
            "oldest pending reminder: " + ("none" if age is None else f"{age} min ago")
        )
        self.stdout.write(f"mails pending: {data['mails_pending']}")
        self.stdout.write(f"mails failed: {data['mails_failed']}")
