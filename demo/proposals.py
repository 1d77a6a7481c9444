"""Demo proposals: the ~50 submitted to the Fabrique numérique in November 2017, among them
the seven future laureates, and a draft for the demo agent on the open FAST call.

Idempotent: proposals are found again by (call, title), people by e-mail. The seed command
runs inside one transaction, so this writes rows directly instead of calling the durable
services; the submitted content, hash and reference are computed by the services' own pure
helpers, so they look exactly like real submissions. People are fictitious.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from calls.enums import CallState, QuestionKind
from calls.models import Call
from demo.people import demo_person
from programme import audit
from programme.enums import Region, StructureType
from programme.models import AuditEntry, Structure, User
from projects.enums import ProposalState, TeamRole
from projects.models import Answer, Invitation, Message, Proposal, ProposalVersion, TeamMember
from projects.queries.proposals import content_hash, reference_for, snapshot

PARIS = ZoneInfo("Europe/Paris")
FN_CALL = "fabrique-numerique-2017"
DEMO_AGENT = "agent@demo.portail.example"

# The seven themes of the laureates announced in January 2018 (seeds/000).
LAUREATES = [
    (
        "Aides-territoires",
        "Les collectivités peinent à identifier les aides disponibles et adaptées à leur "
        "territoire et à leur projet.",
        "Un moteur de recherche des aides publiques, filtré par territoire et type de projet.",
        "Élus et agents des collectivités",
    ),
    (
        "Camino, le cadastre minier numérique",
        "La connaissance et l'instruction des titres et projets miniers reposent sur des "
        "dossiers papier dispersés entre services.",
        "Un registre en ligne des titres miniers et un suivi partagé de leur instruction.",
        "Services instructeurs, entreprises minières, public",
    ),
    (
        "Déclaration des rejets dans l'air des industries",
        "La déclaration et le suivi des rejets dans l'air des installations industrielles "
        "sont lourds pour les exploitants comme pour les inspecteurs.",
        "Un service de déclaration guidée, contrôlée à la saisie, et un tableau de suivi.",
        "Exploitants industriels, inspecteurs des installations classées",
    ),
    (
        "Alerte sécheresse",
        "En période de sécheresse, chacun ignore quelles restrictions d'eau s'appliquent chez "
        "lui ; la pénurie d'eau est mal anticipée.",
        "Une carte et des alertes sur les restrictions d'eau en vigueur à son adresse.",
        "Particuliers, agriculteurs, entreprises, services de l'État",
    ),
    (
        "Confiance entre loueurs et bailleurs",
        "La méfiance entre locataires et bailleurs freine l'accès au logement.",
        "Un dossier de location vérifié et partagé en confiance entre loueurs et bailleurs.",
        "Locataires et propriétaires bailleurs",
    ),
    (
        "Transporteurs et chargeurs",
        "Les relations entre transporteurs de marchandises et chargeurs sont mal outillées ; "
        "beaucoup de camions roulent à vide.",
        "Une plateforme qui optimise les chargements et lutte contre les transports à vide.",
        "Transporteurs routiers, chargeurs",
    ),
    (
        "Petites contributions numériques d'intérêt général",
        "Beaucoup de citoyens voudraient aider l'action publique quelques minutes par semaine "
        "sans savoir comment.",
        "Des micro-tâches numériques (crowdsourcing) proposées par les services publics.",
        "Citoyens volontaires, services de l'État",
    ),
]

# The other proposals: plausible ideas from ecology and territories services (fictitious).
OTHERS = [
    ("Suivi des chantiers routiers", "Informer les usagers des chantiers des routes nationales."),
    ("Carte des zones humides", "Rendre lisibles les zones humides pour les porteurs de projets."),
    ("Instruction des permis de construire en ligne", "Réduire les allers-retours papier."),
    ("Observatoire des loyers simplifié", "Publier les loyers de référence par quartier."),
    ("Registre des bateaux de plaisance", "Dématérialiser les démarches des plaisanciers."),
    ("Alerte crue pour les riverains", "Prévenir les riverains avant la montée des eaux."),
    ("Covoiturage des agents", "Organiser le covoiturage domicile-travail des agents."),
    ("Inventaire des haies bocagères", "Recenser les haies avec les agriculteurs."),
    ("Tableau de bord de la qualité de l'air", "Donner aux élus une vue locale de l'air."),
    ("Dossier unique ICPE", "Un dossier partagé pour les installations classées."),
    ("Réservation des contrôles poids lourds", "Planifier les contrôles routiers."),
    ("Marchés publics verts", "Aider les acheteurs à intégrer des clauses environnementales."),
    ("Signalement des dépôts sauvages", "Signaler les déchets abandonnés en pleine nature."),
    ("Suivi des espèces protégées", "Partager les observations des agents de terrain."),
    ("Guichet des aides à la rénovation", "Orienter les ménages vers les bonnes aides."),
    ("Calcul des servitudes d'utilité publique", "Retrouver les servitudes d'une parcelle."),
    ("Registre des éoliennes", "Suivre les parcs éoliens autorisés et leurs recours."),
    ("Pêche durable en temps réel", "Partager les quotas restants avec les pêcheurs."),
    ("Astreintes des routes nationales", "Organiser les astreintes hivernales des DIR."),
    ("Accessibilité des gares routières", "Informer sur l'accessibilité des gares."),
    ("Qualité des eaux de baignade", "Publier les résultats des analyses en direct."),
    ("Plan de prévention des risques interactif", "Rendre lisibles les PPR aux habitants."),
    ("Suivi des sites pollués", "Partager l'état des sites et sols pollués."),
    ("Échanges de données entre DREAL", "Mutualiser les jeux de données régionaux."),
    ("Gestion des épaves maritimes", "Suivre les épaves signalées le long des côtes."),
    ("Application de patrouille routière", "Outiller les patrouilleurs des routes."),
    ("Cartographie du bruit routier", "Informer les riverains sur le bruit des routes."),
    ("Démarches des auto-écoles", "Simplifier les démarches des écoles de conduite."),
    ("Suivi des autorisations de défrichement", "Accélérer l'instruction du défrichement."),
    ("Rendez-vous pour les examens du permis", "Réduire l'attente des candidats."),
    ("Bourse aux locaux vacants de l'État", "Mettre en relation services et locaux vides."),
    ("Veille réglementaire partagée", "Partager les évolutions réglementaires entre services."),
    ("Gestion des digues", "Suivre l'état des ouvrages de protection."),
    ("Déclaration des captages d'eau", "Simplifier la déclaration des prélèvements."),
    ("Recensement des friches", "Identifier les friches reconvertibles."),
    ("Signalisation maritime connectée", "Suivre l'état des bouées et des phares."),
    ("Formation en ligne des inspecteurs", "Former les inspecteurs à distance."),
    ("Contrôle des transports exceptionnels", "Instruire en ligne les convois exceptionnels."),
    ("Données ouvertes sur le logement social", "Publier l'offre de logement social."),
    ("Médiation entre voisins et exploitants", "Apaiser les conflits autour des carrières."),
    ("Suivi des plans climat territoriaux", "Suivre l'avancement des plans climat."),
    ("Réseau des référents biodiversité", "Animer le réseau des référents en région."),
    ("Covoiturage sur les routes nationales", "Créer des aires de covoiturage au bon endroit."),
]

STRUCTURES = [
    (StructureType.DREAL, "DREAL Occitanie", Region.OCCITANIE),
    (StructureType.DREAL, "DREAL Auvergne-Rhône-Alpes", Region.AUVERGNE_RHONE_ALPES),
    (StructureType.DREAL, "DREAL Hauts-de-France", Region.HAUTS_DE_FRANCE),
    (StructureType.DREAL, "DREAL Bretagne", Region.BRETAGNE),
    (StructureType.DREAL, "DREAL Grand Est", Region.GRAND_EST),
    (StructureType.DREAL, "DREAL Nouvelle-Aquitaine", Region.NOUVELLE_AQUITAINE),
    (StructureType.DIRM, "DIRM Nord Atlantique-Manche Ouest", Region.PAYS_DE_LA_LOIRE),
    (StructureType.DIRM, "DIRM Méditerranée", Region.PROVENCE_ALPES_COTE_D_AZUR),
    (StructureType.DIR, "DIR Ouest", Region.BRETAGNE),
    (StructureType.DIR, "DIR Centre-Est", Region.AUVERGNE_RHONE_ALPES),
    (StructureType.DIR, "DIR Méditerranée", Region.PROVENCE_ALPES_COTE_D_AZUR),
    (StructureType.CENTRAL, "Direction générale de l'aménagement, du logement et de la nature", ""),
    (StructureType.CENTRAL, "Direction générale de la prévention des risques", ""),
    (
        StructureType.CENTRAL,
        "Direction générale des infrastructures, des transports et de la mer",
        "",
    ),
    (StructureType.CENTRAL, "Direction générale de l'énergie et du climat", ""),
]

FIRST_NAMES = [
    "Camille", "Julien", "Sophie", "Nicolas", "Claire", "Thomas", "Émilie", "Antoine",
    "Laura", "Mathieu", "Hélène", "Romain", "Agathe", "Yann", "Inès", "Pierre", "Léa",
    "Karim", "Anne", "Olivier",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
    "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David",
    "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier",
    "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand",
]  # fmt: skip


def _person(n: int, structure: Structure) -> User:
    first = FIRST_NAMES[n % len(FIRST_NAMES)]
    last = LAST_NAMES[(n * 7) % len(LAST_NAMES)]
    email = f"agent{n:03d}@fn2017.demo.portail.example"
    return demo_person(email, first, last, structure)


def _answers_for(call: Call, problem: str, idea: str, users: str) -> dict[int, object]:
    answers = {}
    for question in call.questions.all():
        label = question.label.lower()
        if question.kind == QuestionKind.YES_NO:
            answers[question.pk] = True
        elif "problème" in label:
            answers[question.pk] = problem
        elif "service" in label:
            answers[question.pk] = idea
        elif "utilisateur" in label:
            answers[question.pk] = users
        elif question.kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
            answers[question.pk] = idea
    return answers


def _seed_submitted(
    call: Call, n: int, title: str, problem: str, idea: str, audience: str, state: str
) -> Proposal:
    kind, name, region = STRUCTURES[n % len(STRUCTURES)]
    structure, _ = Structure.objects.update_or_create(
        type=kind, name=name, defaults={"region": region}
    )
    lead, mate = _person(2 * n, structure), _person(2 * n + 1, structure)
    submitted_at = call.opens_at + timedelta(days=3 + n * 35 // 50, hours=n % 7)
    sequence = n + 1
    proposal, _ = Proposal.objects.update_or_create(
        call=call,
        title=title,
        defaults={
            "summary": f"{problem} {idea}",
            "structure": structure,
            "created_by": lead,
            "state": state,
            "sequence": sequence,
            "reference": reference_for(call, sequence),
            "submitted_at": submitted_at,
        },
    )
    TeamMember.objects.get_or_create(proposal=proposal, user=lead, defaults={"role": TeamRole.LEAD})
    TeamMember.objects.get_or_create(proposal=proposal, user=mate)
    for question_id, value in _answers_for(call, problem, idea, audience).items():
        Answer.objects.update_or_create(
            proposal=proposal, question_id=question_id, defaults={"value": value}
        )
    if not proposal.versions.exists():
        content = snapshot(proposal)
        ProposalVersion.objects.create(
            proposal=proposal,
            number=1,
            content=content,
            sha256=content_hash(content),
            reference=proposal.reference,
            submitted_by=lead,
            submitted_at=submitted_at,
        )
    return proposal


def seed_proposals(calls: dict[str, Call], users: dict[str, User], *, now: datetime | None = None):
    """Create or refresh the demo proposals; returns those of the Fabrique numérique 2017."""
    now = now or timezone.now()
    proposals = []
    fn = calls.get(FN_CALL) or Call.objects.filter(slug=FN_CALL).first()
    if fn is not None:
        rows = [(*row, ProposalState.ELIGIBLE) for row in LAUREATES]
        rows += [
            (title, pitch, pitch, "Agents et usagers du service", ProposalState.SUBMITTED)
            for title, pitch in OTHERS
        ]
        # Interleave so that laureates do not hold the first seven references.
        order = sorted(range(len(rows)), key=lambda i: (i * 17) % len(rows))
        for n, index in enumerate(order):
            title, problem, idea, audience, state = rows[index]
            proposals.append(_seed_submitted(fn, n, title, problem, idea, audience, state))

    agent = users.get(DEMO_AGENT) or User.objects.filter(email=DEMO_AGENT).first()
    fast = (
        Call.objects.filter(
            programme__slug="fast", state=CallState.PUBLISHED, opens_at__lte=now, closes_at__gt=now
        )
        .order_by("closes_at")
        .first()
    )
    if agent is not None and fast is not None:
        draft, created = Proposal.objects.get_or_create(
            call=fast,
            title="Tableau de bord des aides à la rénovation énergétique",
            defaults={
                "summary": "Les conseillers ne voient pas où en sont les dossiers des ménages.",
                "structure": agent.structure,
                "created_by": agent,
                "yearly_budget": 400000,
                "requested_amount": 150000,
            },
        )
        TeamMember.objects.get_or_create(
            proposal=draft, user=agent, defaults={"role": TeamRole.LEAD}
        )
        _seed_team_and_fil(draft, agent, now)
    return proposals


def _seed_team_and_fil(draft: Proposal, agent: User, now: datetime) -> None:
    """The agent leads the draft with a co-editor and a pending invitation (the team page's
    roles and buttons), and its Fil holds its start and a question to the programme."""
    mate = demo_person("ines.moreau@demo.portail.example", "Inès", "Moreau", agent.structure)
    TeamMember.objects.get_or_create(proposal=draft, user=mate, defaults={"role": TeamRole.MEMBER})
    Invitation.objects.get_or_create(
        proposal=draft,
        email="louis.garcia@demo.portail.example",
        accepted_at=None,
        defaults={"invited_by": agent, "created_at": now},
    )
    kind = ContentType.objects.get_for_model(Proposal)
    if not AuditEntry.objects.filter(
        content_type=kind, object_id=str(draft.pk), action="proposal.start"
    ).exists():
        audit.record(agent, "proposal.start", draft, after=ProposalState.DRAFT, at=now)
    Message.objects.get_or_create(
        proposal=draft,
        body="Le budget annuel peut-il inclure la part de l'administration d'accueil ?",
        defaults={"author": mate, "from_staff": False, "created_at": now},
    )


# FAST 13's other proposals (fictitious): with the ten laureates, 48 submitted, 40 eligible,
# 24 auditioned and 10 selected, so that the call's funnel reads like a real one's.
FAST_13_OTHERS = [
    "Guichet unique des bourses étudiantes", "Suivi des arrêts de travail des agents",
    "Carte des bornes de recharge publiques", "Prise de rendez-vous en préfecture",
    "Signalement des nids-de-poule", "Annuaire des médiateurs numériques",
    "Déclaration des ruches en ligne", "Registre des défibrillateurs",
    "Plateforme des stages de troisième", "Suivi des subventions sportives",
    "Outil de planification des gardes hospitalières", "Portail des marchés de producteurs",
    "Assistant des demandes de logement social", "Inventaire des friches industrielles",
    "Tableau de bord de la qualité de l'air intérieur", "Catalogue des données scolaires",
    "Réservation des salles communales", "Suivi des contrôles sanitaires en restauration",
    "Aide à la rédaction des arrêtés municipaux", "Simulateur des aides à l'embauche",
    "Carte des zones humides", "Plateforme du bénévolat de proximité",
    "Alerte canicule pour les personnes isolées", "Suivi des chantiers routiers",
    "Guichet des autorisations de tournage", "Répertoire des archives communales",
    "Signalement des espèces invasives", "Calendrier partagé des examens",
    "Outil de suivi des mineurs non accompagnés", "Accès aux bilans énergétiques publics",
    "Gestion des inscriptions en crèche", "Demande de carte de stationnement",
    "Suivi des permis de construire", "Plateforme des covoiturages domicile-travail",
    "Carte des points d'eau potable", "Assistant de tri des déchets",
    "Suivi des prêts de matériel médical", "Registre des antennes relais",
]  # fmt: skip
# In order: 8 ineligible, 16 not shortlisted for audition, 14 auditioned and not selected.
FAST_13_OTHER_STATES = (
    [ProposalState.INELIGIBLE] * 8
    + [ProposalState.NOT_SHORTLISTED] * 16
    + [ProposalState.NOT_SELECTED] * 14
)


def seed_fast_13_others(call: Call) -> None:
    """FAST 13's proposals that were not selected, after its ten laureates (sequences 11 on);
    idempotent, found again by title."""
    structure, _ = Structure.objects.get_or_create(
        type=StructureType.CENTRAL, name="Ministère de l'Intérieur"
    )
    for n, (title, state) in enumerate(zip(FAST_13_OTHERS, FAST_13_OTHER_STATES, strict=True)):
        email = f"fast13-candidat-{n + 1:02d}@demo.portail.example"
        lead = User.objects.filter(email=email).first()
        if lead is None:
            lead = User(
                email=email,
                first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
                last_name=LAST_NAMES[(n * 5 + 3) % len(LAST_NAMES)],
                structure=structure,
            )
            lead.set_unusable_password()
            lead.save()
        sequence = 11 + n
        proposal, _ = Proposal.objects.update_or_create(
            call=call,
            title=title,
            defaults={
                "summary": f"{title} : un service numérique pour les usagers et les agents.",
                "structure": structure,
                "created_by": lead,
                "state": state,
                "sequence": sequence,
                "reference": f"FAST-2023-{sequence:04d}",
                "submitted_at": datetime(2023, 9, 1, 10, tzinfo=PARIS) + timedelta(hours=7 * n),
            },
        )
        TeamMember.objects.get_or_create(
            proposal=proposal, user=lead, defaults={"role": TeamRole.LEAD}
        )
