"""The eligibility conditions of a call (`EligibilityRule`), in one place: the submission,
the candidate's page and the staff's list of proposals all ask `breaches`, so no path holds
a different rule. Pure functions of the rules and of a proposal's facts.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programme.enums import Region, StructureType

from .enums import EligibilityKind
from .funding import euros


@dataclass(frozen=True)
class Facts:
    """What the conditions read of a proposal."""

    structure_type: str | None
    region: str | None
    team_size: int
    requested_amount: Decimal | None


@dataclass(frozen=True)
class Breach:
    """A condition a proposal does not meet, with the sentence the candidate and staff read."""

    rule: object
    message: str

    @property
    def blocking(self) -> bool:
        return self.rule.blocking


def _labels(kind: str, values) -> str:
    choices = StructureType if kind == EligibilityKind.STRUCTURE_TYPE else Region
    known = dict(choices.choices)
    return ", ".join(str(known.get(value, value)) for value in values)


def _number(kind: str, value) -> str:
    if value is None:
        return ""
    if kind == EligibilityKind.REQUESTED_AMOUNT:
        return euros(value)
    return str(int(value))


def describe(rule) -> str:
    """The condition in a sentence, e.g. "Type de structure : DREAL, DIRM"."""
    kind = EligibilityKind(rule.kind)
    if kind in EligibilityKind.list_kinds:
        return _("%(kind)s : %(values)s") % {
            "kind": kind.label,
            "values": _labels(kind, rule.values) or _("aucune valeur"),
        }
    low, high = _number(kind, rule.minimum), _number(kind, rule.maximum)
    if low and high:
        bounds = _("de %(low)s à %(high)s") % {"low": low, "high": high}
    elif low:
        bounds = _("au moins %(low)s") % {"low": low}
    elif high:
        bounds = _("au plus %(high)s") % {"high": high}
    else:
        bounds = _("sans limite")
    return _("%(kind)s : %(bounds)s") % {"kind": kind.label, "bounds": bounds}


def _breach(rule, facts: Facts) -> str:
    """The sentence saying why `facts` break `rule`, or "" when they meet it."""
    kind = rule.kind
    if kind == EligibilityKind.STRUCTURE_TYPE:
        if facts.structure_type in rule.values:
            return ""
        if facts.structure_type is None:
            return _("Indiquez votre structure : l'appel admet %(allowed)s.") % {
                "allowed": _labels(kind, rule.values)
            }
        return _("Votre structure (%(yours)s) n'est pas d'un type admis : %(allowed)s.") % {
            "yours": _labels(kind, [facts.structure_type]),
            "allowed": _labels(kind, rule.values),
        }
    if kind == EligibilityKind.REGION:
        if facts.region in rule.values:
            return ""
        yours = _labels(kind, [facts.region]) if facts.region else _("nationale")
        return _("Votre structure (%(yours)s) n'est pas d'une région admise : %(allowed)s.") % {
            "yours": yours,
            "allowed": _labels(kind, rule.values),
        }
    value = facts.team_size if kind == EligibilityKind.TEAM_SIZE else facts.requested_amount
    what = (
        ngettext(
            "L'équipe compte %(n)s personne", "L'équipe compte %(n)s personnes", facts.team_size
        )
        % {"n": facts.team_size}
        if kind == EligibilityKind.TEAM_SIZE
        else _("Le montant demandé (%(amount)s)")
        % {"amount": euros(value) if value is not None else _("non indiqué")}
    )
    if value is None:
        return _("%(what)s : l'appel demande %(rule)s.") % {"what": what, "rule": describe(rule)}
    value = Decimal(value)
    if rule.minimum is not None and value < rule.minimum:
        return _("%(what)s : il en faut au moins %(low)s.") % {
            "what": what,
            "low": _number(kind, rule.minimum),
        }
    if rule.maximum is not None and value > rule.maximum:
        return _("%(what)s : c'est au plus %(high)s.") % {
            "what": what,
            "high": _number(kind, rule.maximum),
        }
    return ""


def breaches(rules, facts: Facts) -> list[Breach]:
    """The conditions of `rules` that `facts` do not meet, in the call's order."""
    found = []
    for rule in rules:
        message = _breach(rule, facts)
        if message:
            if rule.explanation:
                message = f"{message} {rule.explanation}"
            found.append(Breach(rule, message))
    return found
