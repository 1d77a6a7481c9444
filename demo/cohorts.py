"""Demo cohorts from the seeds: Fabrique numérique 2018, FAST 13 and EIG 2, all published.

Idempotent: cohorts are found again by slug, laureates by their proposal, their name or
their entrepreneur, people by e-mail. The seed command runs inside one transaction, so this
writes rows directly instead of calling the durable services. People are fictitious.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from calls.models import Call, Defi
from cohorts.enums import FinalOutcome, MilestoneKind, Phase, ReportStatus
from cohorts.models import (
    Cohort,
    Indicator,
    IndicatorValue,
    Laureate,
    Milestone,
    Report,
    add_months,
    default_end,
)
from cohorts.services import lateness
from cohorts.services.cohorts import first_line
from cohorts.services.followup import milestones_for
from demo.people import demo_person
from programme import audit
from programme.enums import StructureType
from programme.models import Programme, Structure, User
from projects.enums import ProposalState, TeamRole
from projects.models import Proposal

PARIS = ZoneInfo("Europe/Paris")
COACH = "coach@demo.portail.example"

# The seven laureates announced on 26 January 2018 (seeds/000 and 001): the title of their
# proposal in projects/demo.py, their mission in one line (the seeds' theme), their phase.
FN_LAUREATES = [
    ("Aides-territoires",
     "Aider les collectivités à identifier les aides disponibles et adaptées à leur territoire "
     "et à leur projet.", Phase.PERMANENT),
    ("Camino, le cadastre minier numérique",
     "Faire connaître et instruire en ligne les titres et projets miniers.", Phase.PERMANENT),
    ("Déclaration des rejets dans l'air des industries",
     "Simplifier la déclaration et le suivi des rejets dans l'air des industries.",
     Phase.CONSOLIDATION),
    ("Alerte sécheresse",
     "Anticiper la pénurie d'eau en période de sécheresse.", Phase.TRANSFER),
    ("Confiance entre loueurs et bailleurs",
     "Rétablir la confiance entre locataires et bailleurs.", Phase.PERMANENT),
    ("Transporteurs et chargeurs",
     "Rapprocher transporteurs de marchandises et chargeurs pour optimiser les chargements et "
     "lutter contre les transports à vide.", Phase.ABANDONED),
    ("Petites contributions numériques d'intérêt général",
     "Proposer de petites contributions numériques (crowdsourcing) au service de l'intérêt "
     "général.", Phase.ABANDONED),
]  # fmt: skip
# Of the ~50 proposals, 12 were auditioned: the 7 laureates and these 5 (titles of
# projects/demo.py's other proposals).
FN_AUDITIONED_NOT_SELECTED = [
    "Alerte crue pour les riverains",
    "Signalement des dépôts sauvages",
    "Qualité des eaux de baignade",
    "Guichet des aides à la rénovation",
    "Suivi des sites pollués",
]

# The ten laureates of FAST 13 with their missions as the seeds give them (seeds/003), and the
# funding granted: each at most 300 000 €, 2 550 000 € in all.
FAST_13 = [
    ("A-Just", "Piloter par la donnée l'affectation des ressources humaines dans les "
     "juridictions pour réduire les délais de justice.", "Ministère de la Justice", 300000),
    ("Envergo", "Améliorer la prise en compte de l'environnement dans les projets "
     "d'aménagement.", "Ministère de la Transition écologique", 240000),
    ("Annuaire des collectivités", "Offrir un site web à chaque commune de France.",
     "Agence nationale de la cohésion des territoires", 230000),
    ("Réfugiés.info", "Favoriser l'intégration des personnes réfugiées en France grâce à une "
     "information simple et traduite.", "Délégation interministérielle à l'accueil et à "
     "l'intégration des réfugiés", 250000),
    ("DataSubvention", "Rassembler les informations sur les associations et leurs subventions "
     "pour simplifier la vie des associations et des agents publics.",
     "Direction de la jeunesse, de l'éducation populaire et de la vie associative", 220000),
    ("Docurba", "Faciliter l'élaboration et le suivi des documents d'urbanisme en améliorant "
     "les échanges entre les collectivités et l'État",
     "Direction générale de l'aménagement, du logement et de la nature", 260000),
    ("DossierFacile", "Remettre la confiance au centre de la relation entre propriétaires et "
     "locataires.", "Délégation interministérielle à l'hébergement et à l'accès au logement",
     200000),
    ("Ma Cantine", "Accompagner les acteurs de la restauration collective pour proposer une "
     "alimentation de qualité, saine et durable (30% des cantines s'y sont inscrites en 18 "
     "mois).", "Ministère de l'Agriculture et de la Souveraineté alimentaire", 300000),
    ("Mano", "Soutenir les équipes mobiles dédiées à améliorer la vie des populations en rue et "
     "à favoriser leur réinsertion.", "Direction générale de la cohésion sociale", 270000),
    ("Mobilic", "Simplifier le suivi et le respect du temps de travail des travailleurs "
     "mobiles.", "Direction générale des infrastructures, des transports et des mobilités",
     280000),
]  # fmt: skip

# EIG 2: 28 entrepreneurs on the défis of calls/demo.py, with fictitious names.
EIG_FIRST = [
    "Adèle", "Bastien", "Chloé", "Dorian", "Estelle", "Fabien", "Gabrielle", "Hugo", "Iris",
    "Jules", "Katia", "Loïc", "Maëlle", "Noé",
]  # fmt: skip
EIG_LAST = [
    "Aubert", "Barbier", "Carpentier", "Delmas", "Étienne", "Ferrand", "Gauthier", "Hamon",
    "Jacquet", "Kieffer", "Lemoine", "Marchal", "Navarro", "Olivier",
]  # fmt: skip
EIG_2_FUNNEL = {
    "funnel_candidates": 200,
    "funnel_selected": 28,
    "funnel_source": "« Entrepreneurs d'intérêt général : les génies du numérique s'installent "
    "dans les ministères » (2018) : plus de 200 candidats, 28 entrepreneurs sélectionnés.",
}
# EIG promotion 4, selected before the portal in two stages (DESIGN.md, from the seeds):
# 31 défis proposed, 21 auditioned, 17 retained; then 800+ candidates, 140 before the jury,
# 41 entrepreneurs. Its laureate list is not on the portal: the page shows the figures.
EIG_4_FUNNEL = {
    "funnel_candidates": 800,
    "funnel_auditioned": 140,
    "funnel_selected": 41,
    "funnel_defis_proposed": 31,
    "funnel_defis_auditioned": 21,
    "funnel_defis_retained": 17,
    "funnel_source": "Etalab, promotion 4 du programme EIG : 31 défis proposés, 21 auditionnés, "
    "17 retenus ; plus de 800 candidatures, 140 présentées au jury, 41 entrepreneurs.",
}
EIG_PROFILES = ["Développeur", "Data scientist", "Designer", "Chercheuse"]


def _paris(year, month, day, hour=10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=PARIS)


def _cohort(programme: Programme, slug: str, label: str, starts_on: date, **figures) -> Cohort:
    cohort, _ = Cohort.objects.update_or_create(
        slug=slug,
        defaults={
            "programme": programme,
            "label": label,
            "starts_on": starts_on,
            "ends_on": default_end(starts_on, programme),
            "published_at": datetime.combine(starts_on, datetime.min.time(), PARIS),
            **figures,
        },
    )
    return cohort


def _fn_laureate_proposals(call: Call) -> dict[str, Proposal]:
    """The FN 2017 proposals the jury selected (projects/jury_demo.py decides and publishes
    them: the funnel reads 50 → 12 → 7)."""
    titles = [title for title, _, _ in FN_LAUREATES]
    return {
        p.title: p
        for p in call.proposals.filter(
            title__in=titles, state=ProposalState.SELECTED
        ).prefetch_related("team__user")
    }


def _seed_fn(programme: Programme, coach: User | None) -> Cohort:
    cohort = _cohort(programme, "fabrique-numerique-2018", "Fabrique numérique 2018",
                     date(2018, 1, 26))  # fmt: skip
    call = Call.objects.filter(slug="fabrique-numerique-2017").first()
    proposals = _fn_laureate_proposals(call) if call is not None else {}
    for title, mission, phase in FN_LAUREATES:
        proposal = proposals.get(title)
        defaults = {"name": title, "mission": mission, "phase": phase, "coach": coach}
        if proposal is not None:
            team = list(proposal.team.all())
            lead = next((m.user for m in team if m.role == TeamRole.LEAD), proposal.created_by)
            defaults.update(host_structure=proposal.structure, intrapreneur=lead)
            laureate, _ = Laureate.objects.update_or_create(
                proposal=proposal, defaults={"cohort": cohort, **defaults}
            )
            laureate.members.set([m.user for m in team])
        else:
            Laureate.objects.update_or_create(cohort=cohort, name=title, defaults=defaults)
    return cohort


def _seed_fast(programme: Programme, coach: User | None) -> Cohort:
    cohort = _cohort(programme, "fast-13", "FAST 13", date(2023, 11, 6))
    # The selected proposals of the FAST 13 call (projects/jury_demo.py), when it exists.
    proposals = {
        p.title: p
        for p in Proposal.objects.filter(call__slug="fast-13", state=ProposalState.SELECTED)
        .select_related("decision")
        .prefetch_related("team__user")
    }
    for name, mission, host, amount in FAST_13:
        structure, _ = Structure.objects.get_or_create(type=StructureType.CENTRAL, name=host)
        defaults = {
            "mission": mission,
            "host_structure": structure,
            "phase": Phase.ACCELERATION,
            "funding_granted": Decimal(amount),
            "coach": coach,
        }
        proposal = proposals.get(name)
        if proposal is not None:
            team = [m.user for m in proposal.team.all()]
            defaults.update(
                proposal=proposal,
                intrapreneur=proposal.created_by,
                funding_granted=proposal.decision.amount_granted,
            )
            laureate, _ = Laureate.objects.update_or_create(
                cohort=cohort, name=name, defaults=defaults
            )
            laureate.members.set(team)
        else:
            Laureate.objects.update_or_create(cohort=cohort, name=name, defaults=defaults)
    return cohort


def _seed_eig(programme: Programme) -> Cohort:
    # Selected before the portal: the published figures (seeds/004: "plus de 200 candidats",
    # 28 entrepreneurs).
    cohort = _cohort(programme, "eig-2", "EIG 2", date(2018, 1, 15), **EIG_2_FUNNEL)
    cohort.selection_calls.set(Call.objects.filter(slug__in=["eig-2-defis", "eig-2-candidatures"]))
    defis = list(Defi.objects.filter(call__slug="eig-2-defis").select_related("host_structure"))
    for n in range(28):
        email = f"eig2-{n + 1:02d}@demo.portail.example"
        person = demo_person(
            email, EIG_FIRST[n % len(EIG_FIRST)], EIG_LAST[(n * 5) % len(EIG_LAST)]
        )
        profile = EIG_PROFILES[n % len(EIG_PROFILES)]
        defi = defis[n % len(defis)] if defis else None
        title = defi.title if defi else "Défi d'intérêt général"
        Laureate.objects.update_or_create(
            cohort=cohort,
            intrapreneur=person,
            defaults={
                "name": f"{title} — {profile.lower()}",
                "mission": first_line(defi.description)[:300]
                if defi
                else "Relever un défi d'intérêt général dans une administration.",
                "host_structure": defi.host_structure if defi else None,
                "phase": Phase.CONSTRUCTION,
                # EIG publishes its entrepreneurs' names: staff ticked it for the demo.
                "intrapreneur_public": True,
            },
        )
    return cohort


# The indicators each programme asks in its monthly reports: (label, unit, monthly growth).
INDICATORS = {
    "fabrique-numerique": [("Usagers touchés", "usagers", 150), ("Démarches traitées", "", 40)],
    "fast": [("Usagers touchés", "usagers", 900), ("Services utilisateurs", "services", 3)],
    "eig": [("Jeux de données ouverts", "jeux", 1), ("Agents utilisateurs", "agents", 25)],
    "incubateur-val-d-oise": [("Usagers touchés", "usagers", 60)],
}
REPORT_TEXTS = [
    ("Entretiens avec une vingtaine d'usagers ; premier prototype testé sur le terrain.",
     "Ouvrir un premier service à un territoire pilote.", ""),
    ("Service ouvert au territoire pilote ; premiers retours positifs des agents.",
     "Mesurer l'usage et corriger les irritants relevés.",
     "Accès aux données de l'administration encore en attente."),
    ("Usage en hausse chaque semaine ; deux nouveaux territoires demandeurs.",
     "Préparer l'ouverture nationale et la documentation.", ""),
]  # fmt: skip
MIDTERM_NOTES = "Revue tenue avec l'équipe et le sponsor : cap confirmé, usage en progression."
# FN laureates' final committee, from the phase they reached.
FN_REASONS = {
    FinalOutcome.PERMANENT: "Usage établi et budget de fonctionnement assuré par l'administration.",
    FinalOutcome.CONTINUE: "Impact démontré ; le produit poursuit pour consolider son usage.",
    FinalOutcome.ABANDON: "Pas d'usage suffisant malgré les itérations ; l'équipe rejoint "
    "d'autres projets.",
}


def _indicators(programme: Programme) -> list[tuple[Indicator, int]]:
    out = []
    for position, (label, unit, step) in enumerate(INDICATORS.get(programme.slug, [])):
        indicator, _ = Indicator.objects.update_or_create(
            programme=programme, label=label, defaults={"unit": unit, "position": position}
        )
        out.append((indicator, step))
    return out


def _unfiled(index: int, number: int, months: int) -> bool:
    """Which reports a demo laureate has not filed: every third laureate misses one, the
    seventh of each ten misses its last two (so the dashboard has late ones to show)."""
    return (index % 3 == 1 and number == 1 + index % months) or (
        index % 10 == 6 and number > months - 2
    )


def seed_followup(cohort: Cohort, *, staff: User | None, committee_held: bool) -> None:
    """The cohort's milestones, reports filed month by month (some not: late), the mid-term
    review held, and, for the oldest cohort, the final committee's decisions. Rows are made in
    memory and written in bulk; a laureate who has milestones already is left as it is."""
    start = datetime.combine(cohort.starts_on, datetime.min.time(), PARIS)
    indicators = _indicators(cohort.programme)
    laureates = list(cohort.laureates.filter(milestones__isnull=True).order_by("name", "pk"))
    reports, done, values, decisions = [], [], [], []
    for index, laureate in enumerate(laureates):
        milestones = milestones_for(laureate, cohort, start)
        months = sum(1 for m in milestones if m.kind == MilestoneKind.REPORT)
        author = laureate.intrapreneur_id
        for m in milestones:
            if m.kind == MilestoneKind.REPORT and not _unfiled(index, m.number, months):
                at = m.deadline - timedelta(days=(index + m.number) % 4, hours=3)
                results, next_steps, blockers = REPORT_TEXTS[(index + m.number) % 3]
                status = (
                    ReportStatus.AT_RISK if (index + m.number) % 5 == 0 else ReportStatus.ON_TRACK
                )
                reports.append(
                    Report(
                        milestone=m,
                        period_start=m.period_start,
                        period_end=m.period_end,
                        results=results,
                        next_steps=next_steps,
                        blockers=blockers,
                        status=status,
                        updated_at=at,
                        updated_by_id=author,
                        submitted_at=at,
                        submitted_by_id=author,
                        coach_comment="Bonne progression ; pensez à mesurer l'usage réel."
                        if laureate.coach_id and m.number % 2 == 0
                        else "",
                        commented_at=at + timedelta(days=2)
                        if laureate.coach_id and m.number % 2 == 0
                        else None,
                        commented_by_id=laureate.coach_id if m.number % 2 == 0 else None,
                    )
                )
                m.done_at = at
            elif m.kind == MilestoneKind.MIDTERM:
                m.done_at, m.notes = m.deadline - timedelta(hours=6), MIDTERM_NOTES
            elif m.kind == MilestoneKind.FINAL and committee_held:
                outcome = {
                    Phase.PERMANENT: FinalOutcome.PERMANENT,
                    Phase.ABANDONED: FinalOutcome.ABANDON,
                }.get(laureate.phase, FinalOutcome.CONTINUE)
                m.done_at = m.deadline - timedelta(hours=6)
                m.outcome, m.next_phase, m.notes = outcome, laureate.phase, FN_REASONS[outcome]
                decisions.append((laureate, m))
        done.extend(milestones)
    Milestone.objects.bulk_create(done, batch_size=500)
    for report in reports:
        report.milestone = report.milestone  # the milestone's primary key, set just now
    Report.objects.bulk_create(reports, batch_size=500)
    for laureate, m in decisions:
        reason = f"{FinalOutcome(m.outcome).label} — {m.notes}"
        audit.record(
            staff, "laureate.final_decision", laureate, after=m.next_phase, reason=reason,
            at=m.done_at,
        )  # fmt: skip
    for report in reports:
        number = report.milestone.number
        for indicator, step in indicators:
            values.append(
                IndicatorValue(report=report, indicator=indicator, value=Decimal(step * number))
            )
    IndicatorValue.objects.bulk_create(values, batch_size=1000)
    # The dashboard's stored lateness, as the follow-up services keep it.
    lateness.refresh([laureate.pk for laureate in laureates], now=timezone.now())


# A promotion being followed up today: the Val d'Oise incubator (seeds/002: "120 candidats,
# quinze projets pitchés et huit finalement retenus"). Its dates follow the day the demo is
# seeded: it started two months and ten days ago, so two reports are due and the third is
# being written. The projects' names are fictitious (the seed does not name them).
CURRENT_SLUG = "val-d-oise-en-cours"
LAUREATE_TEAM = "laureat@demo.portail.example"
VO_FUNNEL = {
    "funnel_candidates": 120,
    "funnel_auditioned": 15,
    "funnel_selected": 8,
    "funnel_source": "« Mois de l'innovation publique » : après un processus de sélection de "
    "120 candidats, quinze projets ont été pitchés et huit finalement retenus.",
}
# The seed says eight projects were retained without naming them: the demo does not invent
# their names, it numbers them.
VO_LAUREATES = [
    (f"Projet retenu n° {n}",
     "Projet d'agents du conseil départemental du Val-d'Oise, accompagné par son incubateur "
     "(la source ne le nomme pas).")
    for n in range(1, 9)
]  # fmt: skip
VO_FIRST = ["Nadia", "Olivier", "Pauline", "Quentin", "Rania", "Sébastien", "Tiphaine"]
VO_LAST = ["Leclerc", "Perrin", "Renaud", "Schmitt", "Tessier", "Vidal", "Weber"]
COACH_NOTE = "Bon rythme. Pour le prochain point, mesurez combien d'usagers reviennent."


def _current_start(today: date) -> date:
    return add_months(today, -2) - timedelta(days=10)


def _seed_current(programme: Programme, coach: User | None, lead: User | None, today: date):
    """The promotion followed up today. Seeding again the same day changes nothing; on a
    later day its dates move with the day and its follow-up is written again."""
    starts_on = _current_start(today)
    previous = Cohort.objects.filter(slug=CURRENT_SLUG).values_list("starts_on", flat=True).first()
    cohort = _cohort(
        programme, CURRENT_SLUG, f"Val d'Oise — promotion {starts_on.year}", starts_on, **VO_FUNNEL
    )
    if previous is not None and previous != starts_on:
        Milestone.objects.filter(laureate__cohort=cohort).delete()  # reports go with them
    structure = Structure.objects.filter(name="Conseil départemental du Val d'Oise").first()
    for index, (name, mission) in enumerate(VO_LAUREATES):
        if index == 0 and lead is not None:
            intrapreneur = lead
        else:
            intrapreneur = demo_person(
                f"vo-{index:02d}@demo.portail.example",
                VO_FIRST[index % len(VO_FIRST)],
                VO_LAST[(index * 3) % len(VO_LAST)],
                structure,
            )
        laureate, _ = Laureate.objects.update_or_create(
            cohort=cohort,
            name=name,
            defaults={
                "mission": mission,
                "host_structure": structure,
                "phase": Phase.INVESTIGATION,
                "intrapreneur": intrapreneur,
                "coach": coach,
            },
        )
        if index == 0:
            mate = demo_person("vo-equipe@demo.portail.example", "Yanis", "Bertrand", structure)
            laureate.members.set([intrapreneur, mate])
        else:
            laureate.members.set([intrapreneur])
    _current_followup(cohort, today)
    return cohort


def _current_followup(cohort: Cohort, today: date) -> None:
    """Milestones from the schedule; the reports whose month is over are filed (but one
    laureate is late on its second), the first laureate's second report carries a comment
    from its coach, and the report of the month running now is left to write."""
    now = datetime.combine(today, datetime.min.time(), PARIS)
    indicators = _indicators(cohort.programme)
    laureates = list(cohort.laureates.filter(milestones__isnull=True).order_by("name", "pk"))
    names = [name for name, _ in VO_LAUREATES]
    for laureate in laureates:
        index = names.index(laureate.name) if laureate.name in names else 0
        milestones = milestones_for(laureate, cohort, now)
        for m in milestones:
            m.created_at = datetime.combine(cohort.starts_on, datetime.min.time(), PARIS)
        Milestone.objects.bulk_create(milestones)
        for m in milestones:
            if m.kind != MilestoneKind.REPORT or m.due_on > today or (index == 3 and m.number == 2):
                continue
            at = m.deadline - timedelta(days=1 + index % 3, hours=3)
            results, next_steps, blockers = REPORT_TEXTS[(index + m.number) % 3]
            commented = index == 0 and m.number == 2 and laureate.coach_id
            report = Report.objects.create(
                milestone=m,
                period_start=m.period_start,
                period_end=m.period_end,
                results=results,
                next_steps=next_steps,
                blockers=blockers,
                status=ReportStatus.ON_TRACK,
                updated_at=at,
                updated_by_id=laureate.intrapreneur_id,
                submitted_at=at,
                submitted_by_id=laureate.intrapreneur_id,
                coach_comment=COACH_NOTE if commented else "",
                commented_at=at + timedelta(days=1) if commented else None,
                commented_by_id=laureate.coach_id if commented else None,
            )
            Milestone.objects.filter(pk=m.pk).update(done_at=at)
            IndicatorValue.objects.bulk_create(
                IndicatorValue(report=report, indicator=indicator, value=Decimal(step * m.number))
                for indicator, step in indicators
            )


def seed_cohorts(programmes: dict[str, Programme], users: dict[str, User]) -> dict[str, Cohort]:
    """Create or refresh the three demo cohorts; returns them by slug."""
    coach = users.get(COACH) or User.objects.filter(email=COACH).first()
    cohorts = {}
    if "fabrique-numerique" in programmes:
        cohorts["fabrique-numerique-2018"] = _seed_fn(programmes["fabrique-numerique"], coach)
    if "fast" in programmes:
        cohorts["fast-13"] = _seed_fast(programmes["fast"], coach)
    if "eig" in programmes:
        cohorts["eig-2"] = _seed_eig(programmes["eig"])
    for slug, cohort in cohorts.items():
        staff = User.objects.filter(
            memberships__programme=cohort.programme, memberships__role="staff"
        ).first()
        seed_followup(cohort, staff=staff, committee_held=slug == "fabrique-numerique-2018")
    if "incubateur-val-d-oise" in programmes:
        lead = users.get(LAUREATE_TEAM) or User.objects.filter(email=LAUREATE_TEAM).first()
        cohorts[CURRENT_SLUG] = _seed_current(
            programmes["incubateur-val-d-oise"], coach, lead, timezone.localdate()
        )
    if "eig" in programmes:
        cohorts["eig-4"] = _cohort(
            programmes["eig"], "eig-4", "EIG 4", date(2020, 9, 1), **EIG_4_FUNNEL
        )
    return cohorts
