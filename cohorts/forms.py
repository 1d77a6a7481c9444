from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from programme.enums import ProgrammeRole
from programme.forms import IdentifiersChoiceField
from programme.models import User
from projects.enums import ProposalState
from projects.models import Proposal

from .enums import Phase
from .models import Cohort, Laureate


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
    starts_on = forms.DateField(
        label=_("Début du suivi"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
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

    class Meta:
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
        self.fields["funding_granted"].help_text = _("FAST : au plus 300 000 €.")
        self.fields["funding_granted"].min_value = 0
        self.fields["funding_granted"].max_value = 300000
        self.helper = _helper(
            _("Enregistrer le lauréat"),
            Fieldset(_("Ce qui est publié"), "name", "mission", "phase", "intrapreneur_public"),
            Fieldset(_("Suivi"), "coach", "mentors", "funding_granted"),
        )

    def clean_funding_granted(self):
        value = self.cleaned_data.get("funding_granted")
        if value is not None and not 0 <= value <= 300000:
            raise forms.ValidationError(_("Le financement accordé est plafonné à 300 000 €."))
        return value
