from zoneinfo import ZoneInfo

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme.enums import Region, StructureType
from programme.forms import BoundedDateTimeField, StructureFieldsMixin, french_formfield

from .enums import CHOICE_KINDS, TEXT_KINDS, CallKind, CallState, EligibilityKind
from .models import Call, Criterion, Defi, EligibilityRule, Question

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
# Calls are announced in Paris time, whatever time zone the request runs in.
PARIS = ZoneInfo("Europe/Paris")


def _helper(label, *fieldsets) -> FormHelper:
    helper = FormHelper()
    helper.layout = Layout(*fieldsets)
    helper.add_input(Submit("submit", label))
    return helper


class ParisDateTimeField(BoundedDateTimeField):
    """A date and time typed in Europe/Paris time (the project's time zone)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)
    default_error_messages = {
        "invalid": _("Saisissez une date et une heure valides, par exemple 01/12/2023 12:00."),
        "required": _("Indiquez la date et l'heure."),
    }

    def prepare_value(self, value):
        with timezone.override(PARIS):
            return super().prepare_value(value)

    def to_python(self, value):
        try:
            with timezone.override(PARIS):
                return super().to_python(value)
        except forms.ValidationError as error:
            if error.code == "ambiguous_timezone":
                raise forms.ValidationError(
                    _(
                        "Cette heure n'existe pas ou existe deux fois à Paris ce jour-là "
                        "(changement d'heure) : choisissez une autre heure."
                    ),
                    code="ambiguous_timezone",
                ) from error
            raise


class CallForm(forms.ModelForm):
    opens_at = ParisDateTimeField(
        label=_("Ouverture (heure de Paris)"),
        help_text=_("Les candidatures sont acceptées à partir de ce moment."),
    )
    closes_at = ParisDateTimeField(
        label=_("Clôture (heure de Paris)"),
        help_text=_("L'appel se clôt de lui-même à ce moment ; plus aucun dépôt n'est accepté."),
    )
    eligible_structure_types = forms.MultipleChoiceField(
        label=_("Structures éligibles"),
        choices=StructureType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Aucune case cochée : toutes les structures sont éligibles."),
    )

    class Meta:
        formfield_callback = french_formfield  # amounts typed "300 000"
        model = Call
        fields = [
            "kind",
            "edition",
            "title",
            "description",
            "opens_at",
            "closes_at",
            "eligible_structure_types",
            "team_min",
            "team_max",
            "laureates_target",
            "offers_funding",
            "envelope",
            "max_funding_share",
            "max_funding_amount",
            "challenge_call",
        ]
        help_texts = {
            "description": _(
                "Le règlement de l'appel, en Markdown : titres (##), listes (-), liens, gras "
                "(**texte**). Le HTML est filtré."
            ),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 12})}

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        challenge_calls = Call.objects.filter(programme=programme, kind=CallKind.CHALLENGES)
        if self.instance.pk:
            challenge_calls = challenge_calls.exclude(pk=self.instance.pk)
        self.fields["challenge_call"].queryset = challenge_calls
        self.fields["edition"].widget.attrs["placeholder"] = "FAST 14"
        self.helper = _helper(
            _("Enregistrer l'appel"),
            Fieldset(_("L'appel"), "kind", "edition", "title", "description"),
            Fieldset(_("Calendrier"), "opens_at", "closes_at"),
            Fieldset(
                _("Éligibilité et équipes"),
                "eligible_structure_types",
                "team_min",
                "team_max",
                "laureates_target",
            ),
            Fieldset(
                _("Financement (FAST)"),
                "offers_funding",
                "envelope",
                "max_funding_share",
                "max_funding_amount",
            ),
            Fieldset(_("Appel en deux étapes (EIG)"), "challenge_call"),
        )

    def clean_closes_at(self):
        closes_at = self.cleaned_data["closes_at"]
        stored = self.instance
        if (
            stored.pk
            and stored.state == CallState.PUBLISHED
            and closes_at is not None
            and closes_at != stored.closes_at
            and closes_at <= timezone.now()
        ):
            raise forms.ValidationError(
                _(
                    "Un appel publié ne se clôt pas en déplaçant sa date dans le passé : "
                    "choisissez une date à venir, ou utilisez « Clore maintenant » "
                    "(une raison est demandée)."
                )
            )
        return closes_at

    def clean(self):
        data = super().clean()
        opens_at, closes_at = data.get("opens_at"), data.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error("closes_at", _("La clôture doit venir après l'ouverture."))
        team_min, team_max = data.get("team_min"), data.get("team_max")
        if team_min is not None and team_max is not None and team_min > team_max:
            self.add_error(
                "team_max",
                _("La taille maximale doit être au moins égale à la taille minimale (%(min)s).")
                % {"min": team_min},
            )
        if team_min == 0:
            self.add_error("team_min", _("Une équipe compte au moins une personne."))
        kind, challenge_call = data.get("kind"), data.get("challenge_call")
        if kind == CallKind.CHALLENGE_APPLICATIONS and challenge_call is None:
            self.add_error(
                "challenge_call",
                _("Une candidature aux défis suit un appel à défis : choisissez lequel."),
            )
        if kind != CallKind.CHALLENGE_APPLICATIONS and challenge_call is not None:
            self.add_error(
                "challenge_call",
                _("Seul un appel de candidatures aux défis se rattache à un appel à défis."),
            )
        envelope, ceiling = data.get("envelope"), data.get("max_funding_amount")
        if envelope is not None and ceiling is not None and ceiling > envelope:
            self.add_error(
                "max_funding_amount",
                _("Le plafond par projet ne peut dépasser l'enveloppe de la promotion."),
            )
        if data.get("offers_funding") and envelope is None:
            self.add_error(
                "envelope", _("Indiquez l'enveloppe de la promotion d'un appel qui finance.")
            )
        return data


class CriterionForm(forms.ModelForm):
    class Meta:
        formfield_callback = french_formfield  # amounts typed "300 000"
        model = Criterion
        fields = ["name", "description", "weight", "scale_max"]
        labels = {"scale_max": _("Note maximale (les jurés notent de 0 à cette note)")}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["weight"].error_messages["min_value"] = _("Le poids doit être positif.")
        self.helper = _helper(
            _("Enregistrer le critère"),
            Fieldset(_("Critère d'évaluation"), "name", "description", "weight", "scale_max"),
        )

    def clean_weight(self):
        weight = self.cleaned_data["weight"]
        if weight is not None and weight <= 0:
            raise forms.ValidationError(_("Le poids doit être strictement positif."))
        return weight

    def clean_scale_max(self):
        scale = self.cleaned_data["scale_max"]
        if scale is not None and not 1 <= scale <= 100:
            raise forms.ValidationError(_("La note maximale va de 1 à 100 (échelle de 0 à 100)."))
        return scale


class QuestionForm(forms.ModelForm):
    choices_text = forms.CharField(
        label=_("Choix proposés"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Pour une question à choix : un choix par ligne, au moins deux."),
    )

    class Meta:
        model = Question
        fields = ["label", "help_text", "kind", "max_length", "required"]
        widgets = {"help_text": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"max_length": _("Pour un texte : nombre maximal de caractères.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["choices_text"] = "\n".join(self.instance.choices)
        self.helper = _helper(
            _("Enregistrer la question"),
            Fieldset(
                _("Question aux candidats"),
                "label",
                "help_text",
                "kind",
                "choices_text",
                "max_length",
                "required",
            ),
        )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        choices = [line.strip() for line in data.get("choices_text", "").splitlines()]
        choices = list(dict.fromkeys(choice for choice in choices if choice))
        if kind in CHOICE_KINDS and len(choices) < 2:
            self.add_error("choices_text", _("Indiquez au moins deux choix, un par ligne."))
        if kind and kind not in CHOICE_KINDS and choices:
            self.add_error(
                "choices_text", _("Seules les questions à choix ont une liste de choix.")
            )
        max_length = data.get("max_length")
        if max_length is not None and kind and kind not in TEXT_KINDS:
            self.add_error("max_length", _("Seules les réponses en texte ont une longueur."))
        if max_length == 0:
            self.add_error("max_length", _("La longueur maximale doit être positive."))
        self.instance.choices = choices if kind in CHOICE_KINDS else []
        return data


class DefiForm(StructureFieldsMixin, forms.ModelForm):
    """A retained défi; its host administration is typed, found again or created."""

    class Meta:
        model = Defi
        fields = ["title", "description", "profiles", "mentors", "source_proposal"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "profiles": forms.Textarea(attrs={"rows": 2}),
            "mentors": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure_type"].label = _("Type de l'administration d'accueil")
        self.fields["structure_name"].label = _("Administration d'accueil")
        self.fields["structure_name"].help_text = _(
            "Par exemple : Direction des affaires maritimes."
        )
        host = self.instance.host_structure if self.instance.host_structure_id else None
        if host and not self.is_bound:
            self.initial.update({"structure_type": host.type, "structure_name": host.name})
        self.fields["source_proposal"].queryset = self.instance.call.proposals.order_by("title")
        self.fields["source_proposal"].required = False
        self.helper = _helper(
            _("Enregistrer le défi"),
            Fieldset(
                _("Défi"),
                "title",
                "structure_type",
                "structure_name",
                "description",
                "profiles",
                "mentors",
                "source_proposal",
            ),
        )

    def save(self, commit=True):
        self.instance.host_structure = self.structure()
        return super().save(commit=commit)


class CloseNowForm(forms.Form):
    """The reason for closing a published call before its deadline ("Clore maintenant")."""

    reason = forms.CharField(
        label=_("Raison de la clôture anticipée"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Elle figure au journal de l'appel, avec l'ancienne et la nouvelle date."),
        error_messages={"required": _("Indiquez la raison de la clôture anticipée.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Indiquez la raison de la clôture anticipée."))
        return reason


class EligibilityRuleForm(forms.ModelForm):
    """A condition of eligibility: admitted structure types or regions, or bounds on the
    team's size or the amount asked."""

    structure_types = forms.MultipleChoiceField(
        label=_("Types de structure admis"),
        choices=StructureType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Pour une condition sur le type de structure."),
    )
    regions = forms.MultipleChoiceField(
        label=_("Régions admises"),
        choices=Region.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Pour une condition sur la région (une structure nationale n'en a pas)."),
    )

    class Meta:
        model = EligibilityRule
        fields = ["kind", "minimum", "maximum", "blocking", "explanation"]
        help_texts = {
            "minimum": _("Pour la taille de l'équipe (personnes) ou le montant demandé (€)."),
            "maximum": _("Pour la taille de l'équipe (personnes) ou le montant demandé (€)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rule = self.instance
        if rule.pk and rule.kind == EligibilityKind.STRUCTURE_TYPE:
            self.initial["structure_types"] = rule.values
        if rule.pk and rule.kind == EligibilityKind.REGION:
            self.initial["regions"] = rule.values
        self.helper = _helper(
            _("Enregistrer la condition"),
            Fieldset(
                _("Condition d'éligibilité"),
                "kind",
                "structure_types",
                "regions",
                "minimum",
                "maximum",
                "blocking",
                "explanation",
            ),
        )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        low, high = data.get("minimum"), data.get("maximum")
        if kind == EligibilityKind.STRUCTURE_TYPE:
            if not data.get("structure_types"):
                self.add_error("structure_types", _("Cochez au moins un type de structure."))
            self.instance.values = list(data.get("structure_types") or [])
        elif kind == EligibilityKind.REGION:
            if not data.get("regions"):
                self.add_error("regions", _("Cochez au moins une région."))
            self.instance.values = list(data.get("regions") or [])
        elif kind in (EligibilityKind.TEAM_SIZE, EligibilityKind.REQUESTED_AMOUNT):
            self.instance.values = []
            if low is None and high is None:
                self.add_error("minimum", _("Indiquez un minimum, un maximum ou les deux."))
            for name, value in (("minimum", low), ("maximum", high)):
                if value is not None and value < 0:
                    self.add_error(name, _("Indiquez un nombre positif."))
                elif (
                    value is not None and kind == EligibilityKind.TEAM_SIZE and value != int(value)
                ):
                    self.add_error(name, _("Une équipe compte un nombre entier de personnes."))
            if low is not None and high is not None and low > high:
                self.add_error("maximum", _("Le maximum doit être au moins égal au minimum."))
        if kind in EligibilityKind.list_kinds:
            data["minimum"] = data["maximum"] = None
            self.instance.minimum = self.instance.maximum = None
        return data
