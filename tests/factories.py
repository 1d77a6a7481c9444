from datetime import timedelta

import factory
from django.utils import timezone

from calls.enums import CallState
from calls.models import Call, Criterion, JuryMember
from programme.enums import ProgrammeRole, StructureType
from programme.models import Programme, ProgrammeMembership, Structure, User
from projects.enums import TeamRole
from projects.models import Proposal, TeamMember

PASSWORD = "un-mot-de-passe-de-test-2026"


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure
        django_get_or_create = ("type", "name")

    type = StructureType.DREAL
    name = factory.Sequence(lambda n: f"DREAL {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.gouv.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    structure = factory.SubFactory(StructureFactory)
    # Verified by default; tests of unverified accounts pass email_verified_at=None.
    email_verified_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Programme {n}")
    slug = factory.Sequence(lambda n: f"programme-{n}")
    operator = "Dinum"
    reference_prefix = factory.Sequence(lambda n: f"P{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeMembership

    programme = factory.SubFactory(ProgrammeFactory)
    user = factory.SubFactory(UserFactory)
    role = ProgrammeRole.STAFF


def StaffFactory(programme=None, **kwargs) -> User:  # noqa: N802 (reads like a factory)
    membership = MembershipFactory(
        programme=programme or ProgrammeFactory(), role=ProgrammeRole.STAFF, **kwargs
    )
    return membership.user


def CoachFactory(programme=None, **kwargs) -> User:  # noqa: N802
    membership = MembershipFactory(
        programme=programme or ProgrammeFactory(), role=ProgrammeRole.COACH, **kwargs
    )
    return membership.user


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call

    programme = factory.SubFactory(ProgrammeFactory)
    edition = factory.Sequence(lambda n: f"Édition {n}")
    slug = factory.Sequence(lambda n: f"appel-{n}")
    title = "Appel à projets d'agents intrapreneurs"
    state = CallState.PUBLISHED
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=20))


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    call = factory.SubFactory(CallFactory)
    name = factory.Sequence(lambda n: f"Critère {n}")
    position = factory.Sequence(int)


class JuryMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JuryMember

    call = factory.SubFactory(CallFactory)
    user = factory.SubFactory(UserFactory)


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal
        skip_postgeneration_save = True

    call = factory.SubFactory(CallFactory)
    title = factory.Sequence(lambda n: f"Projet {n}")
    created_by = factory.SubFactory(UserFactory)
    structure = factory.LazyAttribute(lambda o: o.created_by.structure)

    @factory.post_generation
    def with_team(self, create, extracted, **kwargs):
        if create:
            TeamMember.objects.get_or_create(
                proposal=self, user=self.created_by, defaults={"role": TeamRole.LEAD}
            )


# --- calls: questions and défis (appended by the calls side) ---------------------------------


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "calls.Question"

    call = factory.SubFactory(CallFactory)
    label = factory.Sequence(lambda n: f"Question {n}")
    kind = "short_text"
    position = factory.Sequence(int)


class DefiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "calls.Defi"

    call = factory.SubFactory(CallFactory, kind="challenges")
    host_structure = factory.SubFactory(
        StructureFactory, type=StructureType.CENTRAL, name="Direction des affaires maritimes"
    )
    title = factory.Sequence(lambda n: f"Défi {n}")
    position = factory.Sequence(int)


# --- projects: team, answers (appended by the proposals side) ---------------------------------


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMember

    proposal = factory.SubFactory(ProposalFactory)
    user = factory.SubFactory(UserFactory)
    role = TeamRole.MEMBER


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.Answer"

    proposal = factory.SubFactory(ProposalFactory)
    question = factory.SubFactory("tests.factories.QuestionFactory")
    value = "Une réponse"


# --- cohorts: promotions and laureates (appended by the cohorts side) ---------------------------


def _cohort_end(starts_on, programme):
    from cohorts.models import default_end

    return default_end(starts_on, programme)


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cohorts.Cohort"

    programme = factory.SubFactory(ProgrammeFactory)
    label = factory.Sequence(lambda n: f"Promotion {n}")
    slug = factory.Sequence(lambda n: f"promotion-{n}")
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    ends_on = factory.LazyAttribute(lambda o: _cohort_end(o.starts_on, o.programme))
    published_at = factory.LazyFunction(timezone.now)


class LaureateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cohorts.Laureate"

    cohort = factory.SubFactory(CohortFactory)
    name = factory.Sequence(lambda n: f"Startup d'État {n}")
    mission = "Simplifier une démarche administrative."
    host_structure = factory.SubFactory(StructureFactory)
    intrapreneur = factory.SubFactory(UserFactory)


# --- projects: the jury's work (appended by the jury side) ------------------------------------


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.Assignment"

    juror = factory.SubFactory(JuryMemberFactory)
    proposal = factory.SubFactory(
        ProposalFactory, call=factory.SelfAttribute("..juror.call"), state="eligible"
    )
    created_at = factory.LazyFunction(timezone.now)


# --- cohorts: the follow-up (appended by the follow-up side) -----------------------------------


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cohorts.Indicator"

    programme = factory.SubFactory(ProgrammeFactory)
    label = factory.Sequence(lambda n: f"Indicateur {n}")
    unit = "usagers"
