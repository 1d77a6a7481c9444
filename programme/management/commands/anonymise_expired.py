from django.core.management.base import BaseCommand
from django.utils import timezone

from programme.services import anonymise_expired


class Command(BaseCommand):
    help = (
        "Anonymise the candidates' personal data of calls closed longer ago than "
        "PERSONAL_DATA_RETENTION_DAYS (what Celery beat runs daily); safe to run again."
    )

    def handle(self, *args, **options):
        done = anonymise_expired(now=timezone.now())
        self.stdout.write(f"{done.proposals} proposal(s) and {done.people} person(s) anonymised.")
