"""The funding rules of a call, in one place: every path that asks or grants money calls them.

A call that funds (FAST) states three limits: the share of the project's yearly budget it may
fund (`max_funding_share` %), a ceiling per project (`max_funding_amount`) and the promotion's
envelope. The candidate's form, submission, deliberation, the laureate's edit after the
promotion is formed and the admin all ask `grant_problems` / `request_problems` (or `check_grant`,
which raises), so no path can hold a different limit. Callers that grant lock the call row
(`select_for_update`) before computing what the others were granted, so two staff cannot both
spend the last euros.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from programme import numbers
from programme.exceptions import TransitionError


def euros(value) -> str:
    """An amount as French readers write it: "120 000 €" (cents only when there are some)."""
    return numbers.euros(value)


def share_ceiling(call, yearly_budget) -> Decimal | None:
    """The most the call may fund of a project whose yearly budget is `yearly_budget`."""
    if yearly_budget is None:
        return None
    return Decimal(yearly_budget) * call.max_funding_share / 100


def ceiling(call, *, yearly_budget, others_granted: Decimal | None = None) -> Decimal | None:
    """The most this project may be granted: the lowest of its share of the yearly budget, the
    ceiling per project and what the others left of the envelope; None if the call funds
    nothing or the budget is unknown."""
    if not call.offers_funding or yearly_budget is None:
        return None
    limits = [share_ceiling(call, yearly_budget), call.max_funding_amount]
    if call.envelope is not None and others_granted is not None:
        limits.append(call.envelope - others_granted)
    return max(Decimal("0"), min(limits))


def _within_project_limits(call, amount: Decimal, yearly_budget, word: str) -> list[str]:
    problems = []
    if amount > call.max_funding_amount:
        problems.append(
            _("Le montant %(word)s (%(amount)s) dépasse le plafond par projet de %(max)s.")
            % {"word": word, "amount": euros(amount), "max": euros(call.max_funding_amount)}
        )
    if yearly_budget is None:
        problems.append(
            _(
                "Le budget annuel du projet n'est pas connu : impossible de vérifier la part "
                "financée (%(share)s %% au plus)."
            )
            % {"share": call.max_funding_share}
        )
        return problems
    limit = share_ceiling(call, yearly_budget)
    if amount > limit:
        problems.append(
            _(
                "Le montant %(word)s (%(amount)s) dépasse %(share)s %% du budget annuel du "
                "projet (%(budget)s), soit %(ceiling)s au plus."
            )
            % {
                "word": word,
                "amount": euros(amount),
                "share": call.max_funding_share,
                "budget": euros(yearly_budget),
                "ceiling": euros(limit),
            }
        )
    return problems


def request_problems(call, *, amount, yearly_budget) -> list[str]:
    """What is wrong with the amount a team asks for (empty: nothing)."""
    if amount is None or yearly_budget is None:
        return [_("Indiquez le budget annuel du projet et le montant demandé.")]
    amount = Decimal(amount)
    if amount <= 0:
        return [_("Le montant demandé doit être positif.")]
    return _within_project_limits(call, amount, yearly_budget, _("demandé"))


def grant_problems(call, *, amount, yearly_budget, others_granted: Decimal) -> list[str]:
    """What is wrong with granting `amount` to a project of the call (empty: nothing).

    `others_granted` is what the call's other projects were granted: the envelope must hold
    both. An amount on a call that funds nothing is refused.
    """
    if amount in ("", None):
        if call.offers_funding:
            return [_("Indiquez le montant accordé à ce projet lauréat.")]
        return []
    amount = Decimal(amount)
    if not call.offers_funding:
        return [_("Un montant n'est accordé qu'à un projet lauréat d'un appel qui finance.")]
    if amount <= 0:
        return [_("Indiquez le montant accordé à ce projet lauréat.")]
    problems = _within_project_limits(call, amount, yearly_budget, _("accordé"))
    if call.envelope is not None:
        left = call.envelope - others_granted
        if amount > left:
            problems.append(
                _(
                    "Le montant accordé (%(amount)s) dépasse ce qui reste de l'enveloppe de la "
                    "promotion : %(left)s sur %(envelope)s."
                )
                % {
                    "amount": euros(amount),
                    "left": euros(max(left, Decimal("0"))),
                    "envelope": euros(call.envelope),
                }
            )
    return problems


def check_grant(call, *, amount, yearly_budget, others_granted: Decimal) -> Decimal | None:
    """The amount to store, or a TransitionError with the first rule it breaks."""
    problems = grant_problems(
        call, amount=amount, yearly_budget=yearly_budget, others_granted=others_granted
    )
    if problems:
        raise TransitionError(problems[0])
    return None if amount in ("", None) else Decimal(amount)
