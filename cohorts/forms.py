from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.utils import formats
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from programme.enums import ProgrammeRole
from programme.forms import (
    BoundedDateField,
    FrenchDecimalField,
    IdentifiersChoiceField,
    french_formfield,
)
from programme.models import User
from projects.enums import ProposalState
from projects.models import Proposal

from .enums import FinalOutcome, Phase, ReportStatus
from .models import Cohort, Laureate
from .services.followup import REPORT_TEXT_MAX


def _helper(label, *fieldsets) -> FormHelper:
    helper = FormHelper()
    helper.layout = Layout(*fieldsets)
    helper.add_input(Submit("submit", label))
    return helper


class ProposalChoiceField(IdentifiersChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} ({obj.call.edition})"


class CohortForm(forms.Form):
    label = forms.CharField(label=_("Libellé"), max_length=100, help_text=_("Par exemple FAST 13."))
    slug = forms.SlugField(
        label=_("Identifiant d'adresse"),
        max_length=80,
        required=False,
        help_text=_("La page publique sera /cohortes/<identifiant>/ ; vide : tiré du libellé."),
    )
    starts_on = BoundedDateField(
        label=_("Début du suivi"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = BoundedDateField(
        label=_("Fin du suivi"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Vide : le début plus la durée de suivi du programme."),
    )
    proposals = ProposalChoiceField(
        label=_("Candidatures lauréates"),
        queryset=Proposal.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.fields["proposals"].queryset = (
            Proposal.objects.filter(
                call__programme=programme, state=ProposalState.SELECTED, laureate__isnull=True
            )
            .select_related("call")
            .order_by("call__opens_at", "title")
        )
        self.helper = _helper(
            _("Former la promotion"),
            Fieldset(_("La promotion"), "label", "slug", "starts_on", "ends_on"),
            Fieldset(_("Les lauréats"), "proposals"),
        )

    def clean_slug(self):
        return self.cleaned_data.get("slug") or slugify(self.data.get("label", ""))[:80]

    def clean(self):
        data = super().clean()
        slug = data.get("slug")
        if not slug:
            self.add_error("label", _("Le libellé doit contenir des lettres ou des chiffres."))
        elif Cohort.objects.filter(slug=slug).exists():
            self.add_error("slug", _("Cet identifiant est déjà pris par une autre promotion."))
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on <= starts_on:
            self.add_error("ends_on", _("La fin doit venir après le début."))
        return data


class LaureateForm(forms.ModelForm):
    phase = forms.ChoiceField(label=_("Phase"), choices=Phase.choices)
    funding_reason = forms.CharField(
        label=_("Raison du changement de financement"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Obligatoire si le financement accordé change : les résultats sont publics, la "
            "raison figure au journal avec l'ancien et le nouveau montant."
        ),
    )

    class Meta:
        formfield_callback = french_formfield  # amounts typed "300 000"
        model = Laureate
        fields = [
            "name",
            "mission",
            "phase",
            "coach",
            "mentors",
            "funding_granted",
            "intrapreneur_public",
        ]
        widgets = {"mentors": forms.CheckboxSelectMultiple}
        field_classes = {"mentors": IdentifiersChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        programme = self.instance.cohort.programme
        coaches = User.objects.filter(
            memberships__programme=programme, memberships__role=ProgrammeRole.COACH
        ).distinct()
        self.fields["coach"].queryset = coaches
        self.fields["mentors"].queryset = coaches
        self.fields["mentors"].help_text = _("EIG : les tuteurs de l'administration d'accueil.")
        self.fields["funding_granted"].help_text = _(
            "Appel qui finance : dans les limites de l'appel (part du budget annuel, plafond "
            "par projet, enveloppe de la promotion)."
        )
        self.fields["funding_granted"].min_value = 0
        self.helper = _helper(
            _("Enregistrer le lauréat"),
            Fieldset(_("Ce qui est publié"), "name", "mission", "phase", "intrapreneur_public"),
            Fieldset(_("Suivi"), "coach", "mentors", "funding_granted", "funding_reason"),
        )

    def clean(self):
        data = super().clean()
        if "funding_granted" in self.changed_data and not data.get("funding_reason", "").strip():
            self.add_error(
                "funding_reason",
                _("Indiquez la raison du changement du financement accordé."),
            )
        return data


# --- Follow-up ---------------------------------------------------------------------------------


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _report_text(label, rows, **kwargs):
    return forms.CharField(
        label=label,
        required=False,
        max_length=REPORT_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "max_length": _(
                "5 000 caractères au plus : vous en avez saisi %(show_value)s. Résumez, le "
                "détail peut aller dans un message à votre coach."
            )
        },
        **kwargs,
    )


class ReportForm(forms.Form):
    """The team's monthly report: the period, the programme's indicators, results, next
    steps, blockers and the project's status. Saved as a draft (anything may be empty), then
    submitted: filing (`filing=True`) flags each missing field with its own message.

    The field names are stable: the report page's autosave posts them."""

    # What filing needs, each with the message shown next to its field.
    REQUIRED_TO_FILE = {
        "results": _("Décrivez les résultats du mois pour déposer le point d'étape."),
        "next_steps": _("Indiquez les prochaines étapes pour déposer le point d'étape."),
        "status": _("Choisissez l'état du projet pour déposer le point d'étape."),
    }

    period_start = BoundedDateField(
        label=_("Premier jour de la période"),
        widget=_date_widget(),
        error_messages={"required": _("Indiquez le premier jour de la période.")},
    )
    period_end = BoundedDateField(
        label=_("Dernier jour de la période"),
        widget=_date_widget(),
        error_messages={"required": _("Indiquez le dernier jour de la période.")},
    )
    results = _report_text(_("Résultats du mois"), 5, help_text=_("5 000 caractères au plus."))
    next_steps = _report_text(_("Prochaines étapes"), 4, help_text=_("5 000 caractères au plus."))
    blockers = _report_text(
        _("Points de blocage (facultatif)"),
        3,
        help_text=_(
            "Ce dont vous avez besoin du programme ou de votre administration. "
            "5 000 caractères au plus."
        ),
    )
    status = forms.ChoiceField(
        label=_("État du projet"),
        required=False,
        choices=[("", _("— à choisir —")), *ReportStatus.choices],
    )

    def __init__(self, *args, indicators=(), filing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.filing = filing
        self.indicators = list(indicators)
        names = []
        for indicator in self.indicators:
            name = f"indicator_{indicator.pk}"
            self.fields[name] = FrenchDecimalField(
                label=str(indicator),
                required=False,
                max_digits=14,
                decimal_places=2,
                min_value=0,
            )
            names.append(name)
        self.helper = FormHelper()
        fieldsets = [Fieldset(_("Période couverte (du … au …)"), "period_start", "period_end")]
        if names:
            fieldsets.append(Fieldset(_("Les indicateurs du programme"), *names))
        fieldsets.append(
            Fieldset(_("Le mois écoulé"), "results", "next_steps", "blockers", "status")
        )
        self.helper.layout = Layout(*fieldsets)
        self.helper.add_input(
            Submit("save_draft", _("Enregistrer le brouillon"), css_class="fr-btn--secondary")
        )
        self.helper.add_input(Submit("submit_report", _("Déposer le point d'étape")))

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error(
                "period_end",
                _("Le dernier jour de la période doit venir après le premier (%(start)s).")
                % {"start": formats.date_format(start)},
            )
        if self.filing:
            for name, message in self.REQUIRED_TO_FILE.items():
                if name not in self.errors and not (data.get(name) or "").strip():
                    self.add_error(name, message)
        return data

    def report_data(self) -> dict:
        return {f: self.cleaned_data.get(f) for f in (
            "period_start", "period_end", "results", "next_steps", "blockers", "status"
        )}  # fmt: skip

    def indicator_values(self) -> dict:
        return {i.pk: self.cleaned_data.get(f"indicator_{i.pk}") for i in self.indicators}


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Commentaire du coach"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Enregistrer le commentaire"), Fieldset("", "text"))


class ReportAnswerForm(forms.Form):
    """A message under a filed report (the team answers its coach, the coach answers back)."""

    body = forms.CharField(
        label=_("Votre message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("5 000 caractères au plus. L'autre partie le reçoit aussi par courriel."),
        error_messages={
            "required": _("Écrivez votre message avant de l'envoyer."),
            "max_length": _("5 000 caractères au plus : vous en avez saisi %(show_value)s."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Envoyer le message"), Fieldset("", "body"))


class MilestoneAddForm(forms.Form):
    title = forms.CharField(label=_("Intitulé du jalon"), max_length=200)
    due_on = BoundedDateField(label=_("Échéance"), widget=_date_widget())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Ajouter le jalon"), Fieldset("", "title", "due_on"))


class SkipForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReviewForm(forms.Form):
    notes = forms.CharField(
        label=_("Compte rendu"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Enregistrer la revue"), Fieldset("", "notes"))


class FinalDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Décision du comité"), choices=FinalOutcome.choices, widget=forms.RadioSelect
    )
    next_phase = forms.ChoiceField(
        label=_("Phase dans laquelle le lauréat poursuit"),
        required=False,
        help_text=_("Seulement s'il poursuit dans une nouvelle phase."),
    )
    reasons = forms.CharField(
        label=_("Motifs de la décision"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["next_phase"].choices = [("", "—")] + [
            (p.value, p.label) for p in Phase.continuing_phases
        ]
        self.helper = _helper(
            _("Enregistrer la décision"), Fieldset("", "outcome", "next_phase", "reasons")
        )

    def clean(self):
        data = super().clean()
        if data.get("outcome") == FinalOutcome.CONTINUE and not data.get("next_phase"):
            self.add_error(
                "next_phase", _("Choisissez la phase dans laquelle le lauréat poursuit.")
            )
        return data


FOLLOWUP_STATUSES = [
    ("", _("Tous")),
    ("late", _("Un jalon en retard")),
    ("up_to_date", _("À jour")),
    (ReportStatus.ON_TRACK, _("Dernier point : en bonne voie")),
    (ReportStatus.AT_RISK, _("Dernier point : à risque")),
    ("report_late", _("Dernier point : en retard")),
]


class FollowupFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Suivi"),
        choices=FOLLOWUP_STATUSES,
        required=False,
        widget=forms.Select(attrs={"class": "fr-select"}),
    )
    phase = forms.ChoiceField(
        label=_("Phase"),
        choices=[("", _("Toutes")), *Phase.choices],
        required=False,
        widget=forms.Select(attrs={"class": "fr-select"}),
    )


class SelectionFiguresForm(forms.ModelForm):
    """The published figures of a selection made before the portal, and where they come from."""

    class Meta:
        model = Cohort
        fields = [
            "funnel_candidates",
            "funnel_auditioned",
            "funnel_selected",
            "funnel_defis_proposed",
            "funnel_defis_auditioned",
            "funnel_defis_retained",
            "funnel_source",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.Meta.fields[:-1]:
            self.fields[name].help_text = _(
                "Facultatif. Laissez vide si ce chiffre n'est pas publié."
            )
            self.fields[name].widget.attrs["inputmode"] = "numeric"
        self.helper = _helper(
            _("Enregistrer les chiffres"),
            Fieldset(
                _("Sélection des candidatures"),
                "funnel_candidates",
                "funnel_auditioned",
                "funnel_selected",
            ),
            Fieldset(
                _("Sélection des défis"),
                "funnel_defis_proposed",
                "funnel_defis_auditioned",
                "funnel_defis_retained",
            ),
            "funnel_source",
        )
