"""Demo data from the seeds: programmes, calls, one account per role. Idempotent."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from demo.calls import seed_calls
from demo.cohorts import FAST_13, FN_AUDITIONED_NOT_SELECTED, FN_LAUREATES, seed_cohorts
from demo.jury import seed_fast_13, seed_fast_13_jury, seed_fn_expertise, seed_fn_jury
from demo.proposals import seed_fast_13_others, seed_proposals
from demo.staff_desk import seed_staff_desk
from programme.enums import ProgrammeRole, StructureType
from programme.models import Programme, ProgrammeMembership, Structure, User

PARIS = ZoneInfo("Europe/Paris")

PROGRAMMES = [
    {
        "slug": "fabrique-numerique",
        "name": "Fabrique numérique",
        "short_name": "FN",
        "operator": "Incubateur des ministères chargés de l'écologie et des territoires",
        "description": (
            "Incubateur interne des ministères de la Transition écologique et de la Cohésion "
            "des territoires : des agents intrapreneurs mènent chacun une startup d'État de 2 à "
            "4 personnes pendant six mois, selon l'approche lean start-up."
        ),
        "followup_months": 6,
        "team_min": 2,
        "team_max": 4,
        "reference_prefix": "FN",
    },
    {
        "slug": "fast",
        "name": "FAST — Fonds d'accélération des startups d'État et de territoires",
        "short_name": "FAST",
        "operator": "Dinum",
        "description": (
            "Deux promotions par an : six mois d'accompagnement par des experts du numérique et "
            "un financement d'au plus 50 % du budget annuel du projet, plafonné à 300 000 € par "
            "startup. Critères : impact, maturité, ambition, soutien."
        ),
        "followup_months": 6,
        "team_min": 1,
        "team_max": 8,
        "reference_prefix": "FAST",
    },
    {
        "slug": "eig",
        "name": "Entrepreneurs d'intérêt général",
        "short_name": "EIG",
        "operator": "Etalab",
        "description": (
            "Des développeurs, data scientists, designers et chercheurs relèvent pendant dix "
            "mois des défis d'intérêt général proposés par les administrations, épaulés par des "
            "tuteurs de leur service d'accueil."
        ),
        "followup_months": 10,
        "team_min": 1,
        "team_max": 3,
        "reference_prefix": "EIG",
    },
    {
        "slug": "incubateur-val-d-oise",
        "name": "Incubateur du Val d'Oise",
        "short_name": "VO",
        "operator": "Conseil départemental du Val d'Oise",
        "description": (
            "Les agents du département proposent des projets en mode start-up et les "
            "développent au sein de leur collectivité tout en gardant leurs fonctions."
        ),
        "followup_months": 6,
        "team_min": 1,
        "team_max": 4,
        "reference_prefix": "VO",
    },
]

STRUCTURES = {
    "dgaln": (
        StructureType.CENTRAL,
        "Direction générale de l'aménagement, du logement et de la nature",
    ),
    "sg": (StructureType.CENTRAL, "Secrétariat général des ministères écologie et territoires"),
    "dreal-occitanie": (StructureType.DREAL, "DREAL Occitanie"),
    "dirm-namo": (StructureType.DIRM, "DIRM Nord Atlantique-Manche Ouest"),
    "dinum": (StructureType.CENTRAL, "Direction interministérielle du numérique"),
    "etalab": (StructureType.CENTRAL, "Etalab"),
    "val-d-oise": (StructureType.LOCAL_AUTHORITY, "Conseil départemental du Val d'Oise"),
}

# Fictitious people, one per role (the README lists them).
ACCOUNTS = [
    # email, first name, last name, structure, superuser
    ("admin@demo.portail.example", "Alix", "Administratrice", "sg", True),
    ("equipe.fabrique@demo.portail.example", "Basile", "Morel", "sg", False),
    ("equipe.fast@demo.portail.example", "Claire", "Fontaine", "dinum", False),
    ("equipe.eig@demo.portail.example", "Damien", "Roux", "etalab", False),
    ("jure@demo.portail.example", "Élise", "Garnier", "dgaln", False),
    ("agent@demo.portail.example", "Farid", "Benali", "dreal-occitanie", False),
    ("coach@demo.portail.example", "Gaëlle", "Lemaire", "dinum", False),
    # Leads a laureate of the Val d'Oise promotion followed up today: files its reports.
    ("laureat@demo.portail.example", "Hélène", "Marchand", "val-d-oise", False),
]
MEMBERSHIPS = [
    ("equipe.fabrique@demo.portail.example", "fabrique-numerique", ProgrammeRole.STAFF),
    ("equipe.fast@demo.portail.example", "fast", ProgrammeRole.STAFF),
    ("equipe.eig@demo.portail.example", "eig", ProgrammeRole.STAFF),
    ("coach@demo.portail.example", "fabrique-numerique", ProgrammeRole.COACH),
    ("coach@demo.portail.example", "fast", ProgrammeRole.COACH),
    ("coach@demo.portail.example", "incubateur-val-d-oise", ProgrammeRole.COACH),
]


class Command(BaseCommand):
    help = "Charge les données de démonstration (programmes, appels, comptes). Idempotente."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo refuse de tourner sans DEBUG : les comptes de démonstration ont un "
                "mot de passe connu. Lancez-la avec DEBUG=1, jamais en production."
            )
        with transaction.atomic():
            self.seed()
        self.stdout.write(self.style.SUCCESS("Données de démonstration à jour."))

    def seed(self):
        programmes = {}
        for data in PROGRAMMES:
            programme, _ = Programme.objects.update_or_create(slug=data["slug"], defaults=data)
            programmes[data["slug"]] = programme

        structures = {}
        for key, (kind, name) in STRUCTURES.items():
            structures[key], _ = Structure.objects.get_or_create(type=kind, name=name)

        users = {}
        for email, first, last, structure, superuser in ACCOUNTS:
            user = User.objects.filter(email=email).first() or User(email=email)
            user.first_name, user.last_name = first, last
            user.structure = structures[structure]
            user.is_superuser = user.is_staff = superuser
            user.set_password(settings.DEMO_PASSWORD)
            user.email_verified_at = user.email_verified_at or timezone.now()
            user.save()
            users[email] = user

        for email, slug, role in MEMBERSHIPS:
            ProgrammeMembership.objects.get_or_create(
                user=users[email], programme=programmes[slug], role=role
            )

        calls = seed_calls(programmes, users)
        seed_proposals(calls, users)
        # The FN 2017 jury and its written scores, which put the auditioned proposals first.
        fn_seats = seed_fn_jury(
            calls["fabrique-numerique-2017"],
            selected=[title for title, _, _ in FN_LAUREATES],
            auditioned=FN_AUDITIONED_NOT_SELECTED,
        )
        # Its themes, the jurors' expertise and bids (the bids page and the matrix).
        seed_fn_expertise(calls["fabrique-numerique-2017"], fn_seats)
        # FAST 13: ten startups selected, 2.55 M€ granted, results published.
        fast_13 = seed_fast_13(programmes["fast"], FAST_13)
        seed_fast_13_others(fast_13)
        # FAST 13's jury: the funded call's dossier, its scores and one discussion.
        seed_fast_13_jury(fast_13)
        # Last: it sets the FN 2017 decisions and links the laureates to those proposals.
        seed_cohorts(programmes, users)
        # The staff's desk: a Journal to read, pending invitations, a draft message.
        seed_staff_desk(programmes, users)
