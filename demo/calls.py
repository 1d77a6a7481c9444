"""Demo calls from the seeds: Fabrique numérique 2017, FAST 14, EIG's two stages.

Idempotent: every object is found again by its natural key (slug, name, title).
The figures come from the seed articles; the wording is ours.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from calls.enums import CallKind, CallState, EligibilityKind, QuestionKind
from calls.models import Call, Criterion, Defi, EligibilityRule, Question
from programme.enums import StructureType
from programme.models import Programme, Structure, User

PARIS = ZoneInfo("Europe/Paris")

FN_DESCRIPTION = """\
La Fabrique numérique, incubateur des ministères chargés de l'écologie et des territoires,
lance son **premier appel à projets d'agents intrapreneurs**.

## Qui peut candidater

Les agents de l'administration centrale, des DREAL, des DIRM et des DIR.

## Ce que l'on attend

Une idée concrète de service numérique qui résout un problème rencontré dans vos missions.

## Ce que la Fabrique apporte

- six mois d'accompagnement, selon l'approche *lean start-up* ;
- un coach et une équipe de développement : chaque lauréat mène une startup d'État de 2 à 4
  personnes.

Le jury (directeurs d'administration centrale, CCDG, secrétariat général) retient les projets
sur leur pertinence et sur la volonté de l'agent de tenter l'aventure de l'intrapreneuriat.
"""

FAST_DESCRIPTION = """\
Le **Fonds d'accélération des startups d'État et de territoires** (FAST), opéré par la Dinum,
accompagne deux promotions par an.

## Ce que le FAST apporte

- six mois d'accompagnement opérationnel par des experts du numérique ;
- un financement d'au plus **50 % du budget annuel** du projet, plafonné à **300 000 €** par
  startup.

## Comment les dossiers sont évalués

Quatre piliers : l'**impact**, la **maturité**, l'**ambition** et le **soutien** dont le projet
bénéficie dans son administration.
"""

EIG_DEFIS_DESCRIPTION = """\
Administrations, proposez vos **défis d'intérêt général** : un problème de politique publique
que des développeurs, data scientists, designers ou chercheurs pourraient résoudre en dix mois
avec vos données et vos équipes.

Chaque défi retenu accueille des entrepreneurs d'intérêt général, épaulés par des **tuteurs**
de votre service.
"""

EIG_CANDIDATES_DESCRIPTION = """\
Développeurs, data scientists, designers, chercheurs : rejoignez une administration pendant
**dix mois** pour relever l'un des défis d'intérêt général retenus.

Vous travaillez en équipe avec les agents du service d'accueil et vos tuteurs ; un jury réunissant
l'administration et la société civile choisit les entrepreneurs.
"""

# host (type, name), title, description, profiles, mentors
EIG_DEFIS = [
    (
        (StructureType.CENTRAL, "Direction des affaires maritimes"),
        "PrédiSauvetage",
        "Sauver des vies en mer en prévenant les accidents maritimes grâce aux données "
        "collectées lors des opérations de sauvetage.",
        "Data scientist, développeur",
        "Un officier des affaires maritimes et un chef de centre de surveillance",
    ),
    (
        (StructureType.CENTRAL, "Direction générale de la gendarmerie nationale"),
        "Un accueil numérique de la gendarmerie",
        "Créer un accueil numérique de la gendarmerie au service des citoyens, pour les "
        "démarches et les échanges qui n'exigent pas de se déplacer en brigade.",
        "Développeur, designer",
        "Une commandante de la sous-direction de la relation avec la population",
    ),
    (
        (
            StructureType.CENTRAL,
            "Direction générale de la sécurité civile et de la gestion des crises",
        ),
        "Des modèles prédictifs pour les sapeurs-pompiers",
        "Aider les sapeurs-pompiers à intervenir plus efficacement en anticipant l'activité "
        "opérationnelle avec des modèles prédictifs.",
        "Data scientist, chercheur",
        "Un officier de sapeurs-pompiers et une analyste de la direction",
    ),
    (
        (StructureType.CENTRAL, "Délégation à la sécurité routière"),
        "Croiser accidentalité et verbalisation",
        "Un outil cartographique d'aide à la décision qui rapproche les données d'accidents "
        "de celles des contrôles, pour mieux cibler la prévention routière.",
        "Data scientist, développeur",
        "Un chargé d'études de l'observatoire de la sécurité routière",
    ),
    (
        (StructureType.OTHER, "Cour des comptes"),
        "Rendre les rapports de la Cour accessibles à tous",
        "Un assistant conversationnel qui aide le grand public à trouver et comprendre les "
        "rapports de l'institution.",
        "Développeur, designer",
        "La responsable de la communication numérique",
    ),
    (
        (StructureType.CENTRAL, "Direction générale des finances publiques"),
        "Repérer les erreurs de déclaration",
        "Un programme qui identifie les déclarations probablement erronées, pour mieux cibler "
        "les contrôles et limiter les risques de fraude.",
        "Data scientist, chercheur",
        "Un inspecteur principal du contrôle fiscal",
    ),
]


def _paris(year, month, day, hour=12, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def _upsert_call(slug: str, **fields) -> Call:
    call, _ = Call.objects.update_or_create(slug=slug, defaults=fields)
    return call


def _criteria(call: Call, rows) -> None:
    for position, (name, description, weight) in enumerate(rows):
        Criterion.objects.update_or_create(
            call=call,
            name=name,
            defaults={"description": description, "weight": weight, "position": position},
        )


def _questions(call: Call, rows) -> None:
    # Questions no longer in the demo are removed, so a database seeded earlier converges
    # (FAST's budget and amount are the proposal's own fields, which carry the checks).
    Question.objects.filter(call=call).exclude(label__in=[row[0] for row in rows]).delete()
    for position, row in enumerate(rows):
        label, kind, options = row[0], row[1], row[2] if len(row) > 2 else {}
        Question.objects.update_or_create(
            call=call,
            label=label,
            defaults={
                "kind": kind,
                "help_text": options.get("help_text", ""),
                "choices": options.get("choices", []),
                "max_length": options.get("max_length"),
                "required": options.get("required", True),
                "position": position,
            },
        )


def _eligibility(call: Call, rows) -> None:
    """The call's eligibility conditions, one per kind, found again by (call, kind)."""
    for position, (kind, fields) in enumerate(rows):
        EligibilityRule.objects.update_or_create(
            call=call, kind=kind, defaults={"position": position, **fields}
        )


def seed_calls(
    programmes: dict[str, Programme], users: dict[str, User], *, now: datetime | None = None
) -> dict[str, Call]:
    """Create or refresh the demo calls; returns them by slug."""
    now = now or timezone.now()
    calls = {}

    fn = _upsert_call(
        "fabrique-numerique-2017",
        programme=programmes["fabrique-numerique"],
        kind=CallKind.PROJECTS,
        edition="Fabrique numérique 2017",
        title="Premier appel à projets d'agents intrapreneurs",
        description=FN_DESCRIPTION,
        state=CallState.CLOSED,
        opens_at=_paris(2017, 11, 6, 9),
        closes_at=_paris(2017, 12, 15, 12),
        eligible_structure_types=[
            StructureType.CENTRAL,
            StructureType.DREAL,
            StructureType.DIRM,
            StructureType.DIR,
        ],
        team_min=2,
        team_max=4,
        laureates_target=7,
    )
    _criteria(
        fn,
        [
            ("Pertinence", "Le problème est réel, fréquent et le service y répond.", 2),
            ("Volonté de l'agent", "L'agent est prêt à tenter l'aventure de l'intrapreneuriat.", 2),
            ("Faisabilité", "Un premier produit est réaliste en six mois.", 1),
        ],
    )
    _questions(
        fn,
        [
            ("Quel problème rencontrez-vous dans vos missions ?", QuestionKind.LONG_TEXT,
             {"max_length": 3000}),
            ("Quel service numérique imaginez-vous ?", QuestionKind.LONG_TEXT,
             {"max_length": 3000}),
            ("Qui en seraient les utilisateurs ?", QuestionKind.SHORT_TEXT, {"max_length": 300}),
            ("Êtes-vous prêt à vous y consacrer pendant six mois ?", QuestionKind.YES_NO),
        ],
    )  # fmt: skip
    # The 2017 call was open to the central administration, DREAL, DIRM and DIR (seeds).
    _eligibility(
        fn,
        [
            (EligibilityKind.STRUCTURE_TYPE, {
                "values": [StructureType.CENTRAL, StructureType.DREAL, StructureType.DIRM,
                           StructureType.DIR],
                "explanation": "L'appel est ouvert aux agents de l'administration centrale, "
                               "des DREAL, des DIRM et des DIR.",
            }),
            (EligibilityKind.TEAM_SIZE, {"minimum": 2, "maximum": 4}),
        ],
    )  # fmt: skip
    calls[fn.slug] = fn

    # FAST 14 is open in the demo whatever the day: its deadline follows the clock.
    local_today = timezone.localtime(now, PARIS).date()
    fast = _upsert_call(
        "fast-14",
        programme=programmes["fast"],
        kind=CallKind.PROJECTS,
        edition="FAST 14",
        title="Appel à candidatures de la 14e promotion du FAST",
        description=FAST_DESCRIPTION,
        state=CallState.PUBLISHED,
        opens_at=datetime.combine(local_today - timedelta(days=21), time(9), PARIS),
        closes_at=datetime.combine(local_today + timedelta(days=30), time(12), PARIS),
        eligible_structure_types=[],
        team_min=1,
        team_max=8,
        laureates_target=10,
        offers_funding=True,
        envelope=Decimal("2550000"),
        max_funding_share=50,
        max_funding_amount=Decimal("300000"),
    )
    _criteria(
        fast,
        [
            (
                "Impact",
                "Le service change la vie des usagers ou des agents, et on sait le mesurer.",
                2,
            ),
            ("Maturité", "Le besoin est validé sur le terrain et un premier produit existe.", 1),
            ("Ambition", "Le projet vise un passage à l'échelle, au-delà d'un seul service.", 1),
            ("Soutien", "La direction sponsorise le projet et s'engage sur la suite.", 1),
        ],
    )
    _questions(
        fast,
        [
            ("Quelle est la mission de votre startup d'État, en une phrase ?",
             QuestionKind.SHORT_TEXT, {"max_length": 200}),
            ("Quel impact avez-vous déjà mesuré ?", QuestionKind.LONG_TEXT, {"max_length": 2500}),
            ("Dans quelle phase est le projet ?", QuestionKind.SINGLE_CHOICE,
             {"choices": ["Investigation", "Construction", "Accélération", "Consolidation"]}),
            ("Votre direction s'engage-t-elle à cofinancer le projet ?", QuestionKind.YES_NO),
            ("Lettre de soutien de la direction", QuestionKind.FILE,
             {"help_text": "Un PDF signé.", "required": False}),
        ],
    )  # fmt: skip
    _eligibility(
        fast,
        [
            (EligibilityKind.REQUESTED_AMOUNT, {
                "maximum": Decimal("300000"),
                "explanation": "Le FAST finance au plus 50 % du budget annuel du projet, dans "
                               "la limite de 300 000 € par startup d'État.",
            }),
        ],
    )  # fmt: skip
    calls[fast.slug] = fast

    eig_defis = _upsert_call(
        "eig-2-defis",
        programme=programmes["eig"],
        kind=CallKind.CHALLENGES,
        edition="EIG 2 — défis",
        title="Appel à défis d'intérêt général des administrations",
        description=EIG_DEFIS_DESCRIPTION,
        state=CallState.CLOSED,
        opens_at=_paris(2017, 6, 1, 9),
        closes_at=_paris(2017, 7, 13, 18),
        eligible_structure_types=[
            StructureType.CENTRAL,
            StructureType.OPERATOR,
            StructureType.LOCAL_AUTHORITY,
            StructureType.OTHER,
        ],
        team_min=1,
        team_max=3,
        laureates_target=len(EIG_DEFIS),
    )
    _criteria(
        eig_defis,
        [
            ("Intérêt général", "Le défi sert une politique publique et ses usagers.", 2),
            ("Données et moyens", "Les données existent et le service peut les ouvrir.", 1),
            ("Engagement des tuteurs", "Des tuteurs disponibles accompagneront l'équipe.", 1),
        ],
    )
    _questions(
        eig_defis,
        [
            ("Le défi en quelques lignes", QuestionKind.LONG_TEXT, {"max_length": 2000}),
            ("Les données disponibles", QuestionKind.LONG_TEXT, {"max_length": 2000}),
            ("Profils recherchés", QuestionKind.MULTIPLE_CHOICE,
             {"choices": ["Développeur", "Data scientist", "Designer", "Chercheur"]}),
            ("Les tuteurs proposés", QuestionKind.SHORT_TEXT, {"max_length": 300}),
        ],
    )  # fmt: skip
    for position, ((kind, host), title, description, profiles, mentors) in enumerate(EIG_DEFIS):
        structure, _ = Structure.objects.get_or_create(type=kind, name=host)
        Defi.objects.update_or_create(
            call=eig_defis,
            title=title,
            defaults={
                "host_structure": structure,
                "description": description,
                "profiles": profiles,
                "mentors": mentors,
                "position": position,
            },
        )
    calls[eig_defis.slug] = eig_defis

    eig_candidates = _upsert_call(
        "eig-2-candidatures",
        programme=programmes["eig"],
        kind=CallKind.CHALLENGE_APPLICATIONS,
        challenge_call=eig_defis,
        edition="EIG 2 — candidatures",
        title="Devenez entrepreneur d'intérêt général",
        description=EIG_CANDIDATES_DESCRIPTION,
        state=CallState.CLOSED,
        opens_at=_paris(2017, 9, 18, 9),
        closes_at=_paris(2017, 10, 22, 23, 59),
        eligible_structure_types=[],
        team_min=1,
        team_max=1,
        laureates_target=28,
    )
    _criteria(
        eig_candidates,
        [
            ("Compétences", "Le profil répond à ce que le défi demande.", 2),
            ("Motivation pour l'intérêt général", "La candidature dit pourquoi ce défi.", 1),
            ("Travail en équipe", "Le candidat a déjà travaillé avec des métiers différents.", 1),
        ],
    )
    _questions(
        eig_candidates,
        [
            ("Votre profil", QuestionKind.SINGLE_CHOICE,
             {"choices": ["Développeur", "Data scientist", "Designer", "Chercheur"]}),
            ("Pourquoi ce défi ?", QuestionKind.LONG_TEXT, {"max_length": 2000}),
            ("Un projet dont vous êtes fier", QuestionKind.LONG_TEXT, {"max_length": 2000}),
            ("Votre CV", QuestionKind.FILE, {"help_text": "Un PDF de deux pages au plus."}),
        ],
    )  # fmt: skip
    calls[eig_candidates.slug] = eig_candidates
    return calls
