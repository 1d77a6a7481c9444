"""Forms of the audition and deliberation pages (crispy, DSFR pack)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from calls.forms import ParisDateTimeField
from programme.forms import FrenchDecimalField, submit_helper
from projects.enums import DecisionOutcome


class ShortlistTopForm(forms.Form):
    n = forms.IntegerField(
        label=_("Nombre de candidatures à auditionner"),
        min_value=1,
        max_value=1000,
        help_text=_("Les premières du classement des évaluations écrites."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Retenir les premières pour audition"))


class UnshortlistForm(forms.Form):
    """The optional reason for taking a proposal off the audition list (no page shows it yet:
    the form only bounds what a request may send)."""

    reason = forms.CharField(label=_("Motif"), required=False, max_length=2000)


class SlotForm(forms.Form):
    starts_at = ParisDateTimeField(label=_("Début (heure de Paris)"))
    duration_minutes = forms.IntegerField(
        label=_("Durée (minutes)"), min_value=1, max_value=600, initial=30
    )
    room = forms.CharField(label=_("Salle"), max_length=200, required=False)
    video_link = forms.URLField(
        label=_("Lien de visioconférence"), required=False, assume_scheme="https"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Enregistrer le créneau et convoquer l'équipe"))


class AuditionCriterionForm(forms.Form):
    name = forms.CharField(label=_("Critère"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    weight = FrenchDecimalField(
        label=_("Poids"), min_value=0.01, max_digits=5, decimal_places=2, initial=1
    )
    scale_max = forms.IntegerField(
        label=_("Note maximale (les jurés notent de 0 à cette note)"),
        min_value=1,
        max_value=100,
        initial=5,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Ajouter le critère à la grille d'audition"))


class AuditionGridForm(forms.Form):
    """One score per criterion of the audition grid, and a comment."""

    comment = forms.CharField(
        label=_("Appréciation"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, criteria, evaluation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        existing = {s.criterion_id: s.value for s in evaluation.scores.all()} if evaluation else {}
        names = []
        for criterion in criteria:
            name = f"score_{criterion.pk}"
            self.fields[name] = forms.ChoiceField(
                label=_("%(name)s (de 0 à %(max)s)")
                % {"name": criterion.name, "max": criterion.scale_max},
                choices=[("", "---------")]
                + [(str(v), str(v)) for v in range(criterion.scale_max + 1)],
                required=False,
                help_text=criterion.description,
                initial=None if criterion.pk not in existing else str(existing[criterion.pk]),
            )
            names.append(name)
        if evaluation is not None:
            self.fields["comment"].initial = evaluation.comment
        helper = FormHelper()
        helper.layout = Layout(Fieldset(_("Grille d'audition"), *names, "comment"))
        helper.add_input(Submit("submit", _("Enregistrer mes notes d'audition")))
        self.helper = helper

    def scores(self) -> dict[int, int]:
        return {
            c.pk: int(self.cleaned_data[f"score_{c.pk}"])
            for c in self.criteria
            if self.cleaned_data.get(f"score_{c.pk}") not in (None, "")
        }


class WeightsForm(forms.Form):
    written = FrenchDecimalField(
        label=_("Poids de l'évaluation écrite"), min_value=0, max_digits=5, decimal_places=2
    )
    audition = FrenchDecimalField(
        label=_("Poids de l'audition"), min_value=0, max_digits=5, decimal_places=2
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Enregistrer les poids"))


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Décision"), choices=[("", "---------"), *DecisionOutcome.choices]
    )
    justification = forms.CharField(
        label=_("Justification"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )
    amount_granted = FrenchDecimalField(
        label=_("Montant accordé (€)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )

    def __init__(self, *args, funding: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not funding:
            del self.fields["amount_granted"]
        self.helper = submit_helper(_("Enregistrer la décision"))


class DecisionMailForm(forms.Form):
    subject = forms.CharField(label=_("Objet"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Enregistrer le courrier"))
