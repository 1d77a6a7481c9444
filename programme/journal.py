"""The Journal: audit entries told as French sentences, with the old and new value of each field.

`SENTENCES` maps each audit action code (`audit.record(by, "call.publish", ...)`) to a
sentence; adding one is one line. A sentence is a format string with

- `{actor}`: who did it ("Inès Martin", or "Le portail" for a scheduled task),
- `{object}`: what it was done to, as the entry recorded it,
- `{before}` / `{after}`: the states before and after, as the model's choices say them,
- `{reason}`: the reason given (also shown after the sentence when the sentence omits it),

or a function `(Line) -> str` for the sentences that depend on what changed (a closing date
moved). A code not in the table still reads as a sentence, from its family ("call.…" →
"a modifié l'appel"), never as the raw code.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Cast
from django.utils import formats, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import keyset
from .templatetags.french import date_fr, date_range_fr

# --- The sentences -------------------------------------------------------------------------


def _moved_closing(line: "Line") -> str | None:
    """ "a déplacé la clôture du 1er au 3 décembre 2026" when the closing date is what moved."""
    moved = [change for change in line.changes if change.field == "closes_at"]
    if not moved or not moved[0].old_value or not moved[0].new_value:
        return None
    old, new = moved[0].old_value, moved[0].new_value
    text = _("%(actor)s a déplacé la clôture %(range)s") % {
        "actor": line.actor,
        "range": date_range_fr(old, new)
        if old < new
        else _("du %(old)s au %(new)s") % {"old": date_fr(old), "new": date_fr(new)},
    }
    return text


def _funding(line: "Line") -> str:
    """The amounts of a funding change as amounts: "de 250 000 € à 300 000 €"."""
    before, after = (
        _display(None, value, in_euros=True)
        for value in (line.entry.from_state, line.entry.to_state)
    )
    return _("%(actor)s a changé le financement accordé de %(before)s à %(after)s") % {
        "actor": line.actor,
        "before": before,
        "after": after,
    }


SENTENCES: dict[str, str | Callable] = {
    # Promotions selected before the portal
    "cohort.selection_figures": gettext_lazy("{actor} a enregistré les chiffres de la sélection"),
    # The jury's discussion, nudges and audition criteria
    "jury.discussion_post": gettext_lazy("{actor} a écrit dans la discussion du jury"),
    "jury.discussion_internal_note": gettext_lazy("{actor} a écrit une note interne"),
    "jury.nudge": gettext_lazy("{actor} a relancé les jurés en retard"),
    "jury.assignment_add": gettext_lazy("{actor} a confié une candidature à un juré"),
    "jury.assignment_remove": gettext_lazy("{actor} a retiré une candidature à un juré"),
    "jury.themes": gettext_lazy("{actor} a modifié les thèmes de l'appel"),
    "jury.juror_themes": gettext_lazy("{actor} a déclaré ses thèmes d'expertise"),
    "jury.proposal_themes": gettext_lazy("{actor} a modifié les thèmes de la candidature"),
    "jury.bids": gettext_lazy("{actor} a indiqué ses souhaits d'évaluation"),
    "jury.audition_criterion_change": gettext_lazy("{actor} a modifié un critère d'audition"),
    "jury.audition_criterion_delete": gettext_lazy("{actor} a supprimé un critère d'audition"),
    "report.message": gettext_lazy("{actor} a écrit sous le point d'étape"),
    # Calls
    "call.create": gettext_lazy("{actor} a créé l'appel"),
    "call.update": _moved_closing,
    "call.publish": gettext_lazy("{actor} a publié l'appel"),
    "call.close": gettext_lazy("{actor} a clos l'appel"),
    "call.close_now": gettext_lazy("{actor} a clos l'appel avant la date prévue"),
    "call.start_review": gettext_lazy("{actor} a lancé l'évaluation de l'appel"),
    "call.start_auditions": gettext_lazy("{actor} a fait passer l'appel aux auditions"),
    "call.start_deliberation": gettext_lazy("{actor} a ouvert la délibération"),
    "call.publish_results": gettext_lazy("{actor} a publié les résultats de l'appel"),
    "call.archive": gettext_lazy("{actor} a archivé l'appel"),
    "call.criterion.add": gettext_lazy("{actor} a ajouté le critère « {reason} »"),
    "call.criterion.edit": gettext_lazy("{actor} a modifié le critère « {reason} »"),
    "call.criterion.delete": gettext_lazy("{actor} a supprimé le critère « {reason} »"),
    "call.criterion.move": gettext_lazy("{actor} a déplacé le critère « {reason} »"),
    "call.question.add": gettext_lazy("{actor} a ajouté la question « {reason} »"),
    "call.question.edit": gettext_lazy("{actor} a modifié la question « {reason} »"),
    "call.question.delete": gettext_lazy("{actor} a supprimé la question « {reason} »"),
    "call.question.move": gettext_lazy("{actor} a déplacé la question « {reason} »"),
    "call.defi.add": gettext_lazy("{actor} a ajouté le défi « {reason} »"),
    "call.defi.edit": gettext_lazy("{actor} a modifié le défi « {reason} »"),
    "call.defi.delete": gettext_lazy("{actor} a supprimé le défi « {reason} »"),
    "call.defi.move": gettext_lazy("{actor} a déplacé le défi « {reason} »"),
    "call.defi.retain": gettext_lazy("{actor} a retenu le défi « {reason} »"),
    # Proposals
    "proposal.start": gettext_lazy("{actor} a commencé la candidature"),
    "team.remove": gettext_lazy("{actor} a retiré {reason} de l'équipe"),
    "team.leave": gettext_lazy("{actor} a quitté l'équipe"),
    "team.hand_over": gettext_lazy("{actor} a confié le rôle de porteur à {reason}"),
    "team.cancel_invitation": gettext_lazy("{actor} a annulé l'invitation de {reason}"),
    "team.resend_invitation": gettext_lazy("{actor} a renvoyé l'invitation de {reason}"),
    "proposal.save_draft": gettext_lazy("{actor} a enregistré le brouillon"),
    "proposal.attach": gettext_lazy("{actor} a joint le fichier « {reason} »"),
    "proposal.detach": gettext_lazy("{actor} a retiré le fichier « {reason} »"),
    "proposal.submit": gettext_lazy("{actor} a déposé la candidature"),
    "proposal.withdraw": gettext_lazy("{actor} a retiré la candidature"),
    "proposal.invite": gettext_lazy("{actor} a invité {reason} dans l'équipe"),
    "proposal.join": gettext_lazy("{actor} a rejoint l'équipe"),
    "proposal.message": gettext_lazy("{actor} a écrit un message"),
    "proposal.screen": gettext_lazy("{actor} a examiné la recevabilité : {after}"),
    "proposal.request_correction": gettext_lazy("{actor} a demandé une correction"),
    "proposal.send_back": gettext_lazy("{actor} a renvoyé la candidature corrigée"),
    "proposal.decision_publish": gettext_lazy("{actor} a publié la décision : {after}"),
    "proposal.not_shortlisted": gettext_lazy("{actor} a classé la candidature non retenue"),
    "proposal.export": gettext_lazy("{actor} a exporté les candidatures ({reason})"),
    # Jury
    "jury.invite": gettext_lazy("{actor} a invité {reason} au jury"),
    "jury.join": gettext_lazy("{actor} a rejoint le jury"),
    "jury.add_juror": gettext_lazy("{actor} a ajouté {after} au jury"),
    "jury.remove_juror": gettext_lazy("{actor} a retiré {reason} du jury"),
    "jury.invitation_resend": gettext_lazy("{actor} a renvoyé l'invitation au jury de {reason}"),
    "jury.invitation_cancel": gettext_lazy("{actor} a annulé l'invitation au jury de {reason}"),
    "jury.juror_structure": gettext_lazy("La structure du juré a changé : {reason}"),
    "jury.assign": gettext_lazy("{actor} a réparti les candidatures entre les jurés"),
    "jury.move_assignment": gettext_lazy("{actor} a confié l'évaluation à {after}"),
    "jury.review_phase": gettext_lazy("{actor} a fait passer le jury à la phase {after}"),
    "jury.conflict_declared": gettext_lazy("{actor} a déclaré un conflit d'intérêts"),
    "jury.conflict_staff": gettext_lazy("{actor} a signalé un conflit d'intérêts"),
    "jury.conflict_automatic": gettext_lazy("Un conflit d'intérêts a été détecté"),
    "jury.conflict_lift": gettext_lazy("{actor} a levé le conflit d'intérêts"),
    "jury.evaluation_save": gettext_lazy("{actor} a enregistré son évaluation"),
    "jury.evaluation_submit": gettext_lazy("{actor} a remis son évaluation"),
    "jury.evaluation_reopen": gettext_lazy("{actor} a rouvert l'évaluation"),
    "jury.settings": gettext_lazy("{actor} a modifié les réglages du jury"),
    "jury.final_weights": gettext_lazy("{actor} a fixé la pondération finale ({after})"),
    "jury.decision": gettext_lazy("{actor} a enregistré la décision : {after}"),
    "jury.decision_change": gettext_lazy("{actor} a changé la décision : {after}"),
    "jury.decision_mails_prepare": gettext_lazy("{actor} a préparé {reason} courrier(s)"),
    "jury.decision_mail_edit": gettext_lazy("{actor} a modifié un courrier de décision"),
    "jury.decision_mails_release": gettext_lazy("{actor} a envoyé {reason} courrier(s)"),
    "jury.audition_schedule": gettext_lazy("{actor} a programmé l'audition"),
    "jury.audition_score": gettext_lazy("{actor} a noté l'audition"),
    "jury.audition_criterion_add": gettext_lazy("{actor} a ajouté le critère d'audition {after}"),
    # Promotions and laureates
    "cohort.form": gettext_lazy("{actor} a formé la promotion"),
    "cohort.publish": gettext_lazy("{actor} a publié la promotion"),
    "cohort.unpublish": gettext_lazy("{actor} a retiré la promotion de la publication"),
    "cohort.milestones": gettext_lazy("{actor} a créé les jalons du suivi ({reason})"),
    "laureate.update": gettext_lazy("{actor} a modifié la fiche du lauréat"),
    "laureate.funding": _funding,
    "laureate.phase": gettext_lazy("{actor} a fait passer le lauréat de {before} à {after}"),
    "laureate.final_decision": gettext_lazy("{actor} a enregistré la décision finale : {after}"),
    "milestone.add": gettext_lazy("{actor} a ajouté un jalon"),
    "milestone.skip": gettext_lazy("{actor} a écarté le jalon"),
    "milestone.restore": gettext_lazy("{actor} a rétabli le jalon"),
    "milestone.done": gettext_lazy("{actor} a clos le jalon"),
    "report.submit": gettext_lazy("{actor} a remis le point d'étape"),
    "report.comment": gettext_lazy("{actor} a commenté le point d'étape"),
    "reminder.resend": gettext_lazy("{actor} a renvoyé un rappel"),
    # Programme and accounts
    "programme.member_add": gettext_lazy("{actor} a ajouté {reason}"),
    "programme.member_remove": gettext_lazy("{actor} a retiré {reason}"),
    "programme.invite": gettext_lazy("{actor} a invité {reason}"),
    "programme.invitation_resend": gettext_lazy("{actor} a renvoyé l'invitation de {reason}"),
    "programme.invitation_cancel": gettext_lazy("{actor} a annulé l'invitation de {reason}"),
    "programme.invitation_accept": gettext_lazy("{actor} a accepté l'invitation : {reason}"),
    "programme.template_edit": gettext_lazy("{actor} a modifié le courrier « {reason} »"),
    "programme.template_reset": gettext_lazy(
        "{actor} a rétabli le texte par défaut du courrier « {reason} »"
    ),
    "group_message.draft": gettext_lazy("{actor} a préparé un message groupé"),
    "group_message.send": gettext_lazy("{actor} a envoyé un message groupé ({reason})"),
    "admin.add": gettext_lazy("{actor} a créé l'objet dans l'administration"),
    "admin.change": gettext_lazy("{actor} a modifié l'objet dans l'administration"),
    "admin.delete": gettext_lazy("{actor} a supprimé l'objet dans l'administration"),
    "user.signup": gettext_lazy("{actor} a créé son compte"),
    "user.verification_resent": gettext_lazy("{actor} a redemandé le lien de confirmation"),
    "user.email_verified": gettext_lazy("{actor} a confirmé son adresse"),
    "user.password_reset": gettext_lazy("{actor} a changé son mot de passe"),
    "user.proconnect_signup": gettext_lazy("{actor} s'est inscrit avec ProConnect"),
    "user.proconnect_takeover": gettext_lazy("Le compte a été relié à ProConnect"),
    "account.delete": gettext_lazy("{actor} a supprimé son compte"),
}

# The families of actions (the code's first part): the "kind" filter, and the sentence of a
# code nobody wrote one for.
KINDS: dict[str, tuple[str, str]] = {
    "call": (gettext_lazy("Appel"), gettext_lazy("{actor} a modifié l'appel")),
    "proposal": (gettext_lazy("Candidature"), gettext_lazy("{actor} a modifié la candidature")),
    "jury": (gettext_lazy("Jury"), gettext_lazy("{actor} a agi sur le jury")),
    "cohort": (gettext_lazy("Promotion"), gettext_lazy("{actor} a modifié la promotion")),
    "laureate": (gettext_lazy("Lauréat"), gettext_lazy("{actor} a modifié la fiche du lauréat")),
    "milestone": (gettext_lazy("Jalons"), gettext_lazy("{actor} a modifié un jalon")),
    "report": (gettext_lazy("Points d'étape"), gettext_lazy("{actor} a modifié un point d'étape")),
    "reminder": (gettext_lazy("Rappels"), gettext_lazy("{actor} a agi sur un rappel")),
    "programme": (gettext_lazy("Programme"), gettext_lazy("{actor} a modifié le programme")),
    "group_message": (gettext_lazy("Messages"), gettext_lazy("{actor} a agi sur un message")),
    "admin": (gettext_lazy("Administration"), gettext_lazy("{actor} a agi dans l'administration")),
    "user": (gettext_lazy("Compte"), gettext_lazy("{actor} a agi sur son compte")),
    "account": (gettext_lazy("Compte"), gettext_lazy("{actor} a agi sur son compte")),
}
GENERIC = gettext_lazy("{actor} a effectué une action")
NOBODY = gettext_lazy("Le portail")


def kind_of(action: str) -> str:
    return action.split(".", 1)[0]


def kind_choices(kinds=None) -> list[tuple[str, str]]:
    """(code, label) of the kinds, all of them or those in `kinds`."""
    return [
        (code, str(label)) for code, (label, _s) in KINDS.items() if kinds is None or code in kinds
    ]


# --- Lines ---------------------------------------------------------------------------------


@dataclass
class Change:
    field: str
    label: str
    old: str
    new: str
    old_value: object = None
    new_value: object = None


@dataclass
class Line:
    """One entry as the Journal shows it."""

    entry: object
    actor: str
    sentence: str = ""
    reason: str = ""
    changes: list[Change] = field(default_factory=list)

    @property
    def at(self):
        return self.entry.at

    @property
    def kind(self) -> str:
        label = KINDS.get(kind_of(self.entry.action))
        return str(label[0]) if label else _("Autre")


class _Blank(dict):
    def __missing__(self, key):
        return ""


def lines(entries) -> list[Line]:
    """The entries (with `actor` and `content_type` joined) as Journal lines."""
    return [describe(entry) for entry in entries]


def describe(entry) -> Line:
    """One audit entry as a French sentence, its reason and its changed fields."""
    model = _model_of(entry)
    actor = str(entry.actor) if entry.actor_id and entry.actor else str(NOBODY)
    line = Line(entry=entry, actor=actor)
    line.changes = [
        _change(model, name, pair)
        for name, pair in (entry.changes or {}).items()
        if isinstance(pair, list | tuple) and len(pair) == 2
    ]
    before = _state_label(model, entry.from_state)
    after = _state_label(model, entry.to_state)
    template = SENTENCES.get(entry.action)
    sentence = None
    if callable(template):
        sentence = template(line)
        template = None
    if sentence is None:
        template = template or KINDS.get(kind_of(entry.action), (None, GENERIC))[1]
        sentence = str(template).format_map(
            _Blank(
                actor=actor,
                object=entry.object_repr,
                before=before,
                after=after,
                reason=entry.reason,
            )
        )
        if "{reason}" in str(template):
            line.reason = ""
        else:
            line.reason = entry.reason
        if "{before}" not in str(template) and "{after}" not in str(template):
            moved = _state_move(before, after)
            if moved:
                sentence = f"{sentence} ({moved})"
    else:
        line.reason = entry.reason
    line.sentence = _tidy(sentence)
    line.reason = _field_names(model, line.reason)
    return line


def _field_names(model, reason: str) -> str:
    """A reason that lists changed fields by code ("title, summary", as the admin and older
    entries wrote it) said with the fields' names instead."""
    names = [name.strip() for name in (reason or "").split(",")]
    if not reason or model is None or not all(_field(model, name) for name in names):
        return reason
    labels = [str(getattr(_field(model, name), "verbose_name", name)) for name in names]
    return _("champs modifiés : %(fields)s") % {"fields": ", ".join(labels)}


def _tidy(sentence: str) -> str:
    # Only plain spaces: the non-breaking ones of amounts ("250 000 €") stay.
    sentence = re.sub(r"[ \t\n]+", " ", sentence).strip()
    sentence = re.sub(r"\s+([,)])", r"\1", sentence).replace("( ", "(").replace(" ()", "")
    sentence = sentence.replace("« »", "").replace(" :", " :").rstrip(" :")
    return sentence[:1].upper() + sentence[1:]


def _state_move(before: str, after: str) -> str:
    if before and after and before != after:
        return _("%(before)s → %(after)s") % {"before": before, "after": after}
    return ""


# --- Values --------------------------------------------------------------------------------


def _model_of(entry):
    try:
        return apps.get_model(entry.content_type.app_label, entry.content_type.model)
    except LookupError:
        return None


def _field(model, name):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except Exception:  # FieldDoesNotExist, or a reverse relation
        return None


def _change(model, name: str, pair) -> Change:
    model_field = _field(model, name)
    label = str(getattr(model_field, "verbose_name", "") or name.replace("_", " "))
    # A label "… (€)" says the value is an amount: the unit goes with the value instead.
    in_euros = label.endswith("(€)")
    label = label.removesuffix("(€)").strip()
    old, new = (_value(model_field, value) for value in pair)
    return Change(
        field=name,
        label=label[:1].upper() + label[1:],
        old=_display(model_field, old, in_euros=in_euros),
        new=_display(model_field, new, in_euros=in_euros),
        old_value=old,
        new_value=new,
    )


def _value(model_field, value):
    """The stored JSON value back as a Python value the field would hold (a date, a number)."""
    if not isinstance(value, str) or value == "":
        return value
    if isinstance(model_field, models.DateTimeField):
        return parse_datetime(value) or value
    if isinstance(model_field, models.DateField):
        return parse_date(value) or value
    if isinstance(model_field, models.DecimalField):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return value


# Past this, an edited text (a description) is shown shortened in the Journal.
LONGEST_VALUE = 300


def _display(model_field, value, *, in_euros: bool = False) -> str:
    if value is None or value == "" or value == []:
        return _("(vide)")
    if in_euros and isinstance(value, Decimal | int | float | str):
        try:
            return _euros(Decimal(str(value)))
        except InvalidOperation:
            pass
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    choices = dict(getattr(model_field, "flatchoices", None) or ())
    if choices and value in choices:
        return str(choices[value])
    if isinstance(value, datetime):
        return date_fr(value, "j F Y à H:i")
    if isinstance(value, date):
        return date_fr(value)
    if isinstance(value, Decimal | int | float):
        return _number(Decimal(str(value)))
    if isinstance(value, list):
        labels = _all_states()
        return ", ".join(str(labels.get(item, item)) for item in value)
    text = str(value)
    return text if len(text) <= LONGEST_VALUE else text[: LONGEST_VALUE - 1] + "…"


def _number(value: Decimal) -> str:
    places = 0 if value == value.to_integral_value() else 2
    with translation.override("fr"):
        return formats.number_format(value, places, use_l10n=True, force_grouping=True)


def _euros(value: Decimal) -> str:
    return f"{_number(value)} €"


def _state_label(model, value: str) -> str:
    if not value:
        return ""
    for name in ("state", "phase", "outcome", "status"):
        choices = dict(getattr(_field(model, name), "flatchoices", None) or ())
        if value in choices:
            return str(choices[value])
    return str(_all_states().get(value, value))


_STATES: dict | None = None


def _all_states() -> dict:
    """Every state label of the portal's enums, for an entry whose model has no such field."""
    global _STATES
    if _STATES is None:
        found = {}
        for model in apps.get_models():
            for model_field in model._meta.get_fields():
                for value, label in getattr(model_field, "flatchoices", None) or ():
                    if isinstance(value, str):
                        found.setdefault(value, label)
        _STATES = found
    return _STATES


# --- What a Journal covers -----------------------------------------------------------------


def targets(*pairs) -> models.Q:
    """The entries of objects: `targets(call, (JuryMember, call.jury_members.all()))`.

    Each argument is a model instance, or a (model, queryset) pair whose rows' entries are
    included too (read by a subquery, so the Journal stays one query).
    """
    condition = models.Q(pk__in=[])
    for pair in pairs:
        if isinstance(pair, models.Model):
            condition |= models.Q(
                content_type=ContentType.objects.get_for_model(pair), object_id=str(pair.pk)
            )
            continue
        model, queryset = pair
        ids = queryset.annotate(_id_text=Cast("pk", models.CharField())).values("_id_text")
        condition |= models.Q(
            content_type=ContentType.objects.get_for_model(model), object_id__in=ids
        )
    return condition


# --- The page ------------------------------------------------------------------------------


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# Newest first; the id breaks ties between entries written at the same moment.
JOURNAL_KEYS = [
    keyset.Key("at", descending=True, kind=datetime, nullable=False),
    keyset.Key("pk", descending=True, kind=int, nullable=False),
]


def page(request, condition, *, title: str, subject: str, breadcrumb_data, basename: str):
    """The Journal page of one object (its views check the permission first): filters by
    person (`personne`) and kind (`type`) in the address, 50 lines a page by keyset
    (`programme.keyset`, newest first), and the same lines as CSV or XLSX
    (`export=csv|xlsx`)."""
    from django.shortcuts import render

    from . import queries, spreadsheet

    people, kinds, has_portal = queries.journal_facets(condition)
    person = _int(request.GET.get("personne"))
    if person is not None and person != 0 and person not in {p.pk for p in people}:
        person = None
    kind = request.GET.get("type", "")
    if kind not in KINDS:
        kind = ""
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        entries = queries.journal_entries(condition, actor=person, kind=kind)
        return spreadsheet.export_response(
            export,
            basename,
            _("Journal"),
            [_("Date"), _("Auteur"), _("Type"), _("Action"), _("Motif"), _("Modifications")],
            (
                [
                    line.at,
                    line.actor,
                    line.kind,
                    line.sentence,
                    line.reason,
                    " ; ".join(f"{c.label} : {c.old} → {c.new}" for c in line.changes),
                ]
                for line in map(describe, entries.iterator())
            ),
        )
    shown = keyset.paginate(
        queries.journal_entries(condition, actor=person, kind=kind),
        JOURNAL_KEYS,
        request.GET.get(keyset.PARAM),
        size=queries.JOURNAL_PAGE_SIZE,
        salt="journal",
    )
    return render(
        request,
        "programme/journal.html",
        {
            "page_title": title,
            "subject": subject,
            "journal": lines(shown.rows),
            "people": people,
            "has_portal": has_portal,
            "kinds": kind_choices(kinds),
            "person": person,
            "kind": kind,
            "page": shown,
            **keyset.links(request.GET, shown),
            "breadcrumb_data": breadcrumb_data,
        },
    )
