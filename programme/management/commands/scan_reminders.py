from django.core.management.base import BaseCommand
from django.utils import timezone

from programme.reminders import scan_reminders


class Command(BaseCommand):
    help = (
        "Write the reminders owed now into the ledger and send them (what Celery beat runs "
        "every REMINDER_SCAN_MINUTES; without beat, run it from cron)."
    )

    def handle(self, *args, **options):
        result = scan_reminders(now=timezone.now())
        self.stdout.write(
            f"{result.queued_reminders} reminder(s) queued for "
            f"{result.queued_recipients} recipient(s)."
        )
