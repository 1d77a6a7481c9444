"""Build the large synthetic data set of `make bench` in the configured database."""

import time

from django.core.management.base import BaseCommand
from django.db import connection

from demo import bench as benchdata


class Command(BaseCommand):
    help = (
        "Génère le jeu de données du banc de performance (programme « banc-essai ») ; "
        "remplace le précédent."
    )

    def add_arguments(self, parser):
        defaults = benchdata.Sizes()
        for name in (
            "proposals",
            "jurors",
            "evaluations",
            "criteria",
            "cohorts",
            "laureates",
            "cohort_size",
            "reports",
            "drafts",
        ):
            parser.add_argument(
                f"--{name.replace('_', '-')}", type=int, default=getattr(defaults, name)
            )
        parser.add_argument(
            "--password", default="", help="Mot de passe des comptes (aucun par défaut)."
        )
        parser.add_argument("--clear", action="store_true", help="Supprimer le jeu et sortir.")

    def handle(self, *args, **options):
        if options["clear"]:
            benchdata.clear()
            self.stdout.write("Jeu de données du banc supprimé.")
            return
        sizes = benchdata.Sizes(
            **{k: options[k] for k in benchdata.Sizes.__dataclass_fields__ if k in options}
        )
        started = time.perf_counter()
        made = benchdata.generate(sizes, password=options["password"])
        # Fresh planner statistics: right after a bulk load the planner would still think
        # the tables empty (autovacuum catches up a minute later) and pick nested loops.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        for name, count in made.counts.items():
            self.stdout.write(f"{name}: {count}")
        for note in made.notes:
            self.stdout.write(note)
        self.stdout.write(f"generated in {time.perf_counter() - started:.1f} s")
