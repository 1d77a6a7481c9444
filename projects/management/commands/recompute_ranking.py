import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from calls.models import Call
from projects.services import rankings


class Command(BaseCommand):
    help = (
        "Recompute the stored ranking of a call from scratch (or of every call with --all): "
        "what the refresh task does after each change, by hand."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="the calls' slugs")
        parser.add_argument("--all", action="store_true", help="every call with proposals")

    def handle(self, *args, **options):
        if options["all"]:
            calls = list(Call.objects.filter(proposals__isnull=False).distinct().order_by("pk"))
        elif options["slugs"]:
            calls = list(Call.objects.filter(slug__in=options["slugs"]).order_by("pk"))
            unknown = set(options["slugs"]) - {c.slug for c in calls}
            if unknown:
                raise CommandError(f"Appel inconnu : {', '.join(sorted(unknown))}.")
        else:
            raise CommandError("Donnez le slug d'un appel, ou --all.")
        for call in calls:
            started = time.perf_counter()
            rankings.refresh(call, now=timezone.now(), force=True)
            elapsed = (time.perf_counter() - started) * 1000
            rows = call.ranking_rows.count()
            self.stdout.write(f"{call.slug}: {rows} ligne(s) recalculée(s) en {elapsed:.0f} ms.")
