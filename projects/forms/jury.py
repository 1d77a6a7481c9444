"""Forms of the jury's pages (crispy, DSFR pack)."""

import uuid

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from calls.enums import ReviewPhase
from calls.forms import ParisDateTimeField
from programme.forms import FrenchDecimalField, submit_helper
from projects.enums import ConflictType, ProposalState, Recommendation

NOT_APPLICABLE = "na"


class AddJurorForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse électronique"),
        help_text=_(
            "La personne reçoit un lien d'invitation : elle siège une fois qu'elle l'a accepté."
        ),
    )
    role_label = forms.CharField(
        label=_("Qualité"), max_length=200, required=False, help_text=_("Par exemple CCDG.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "off"
        self.helper = submit_helper(_("Ajouter au jury"))


class AssignForm(forms.Form):
    k = forms.IntegerField(label=_("Jurés par candidature"), min_value=1, max_value=20, initial=3)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Attribuer les candidatures"))


class PhaseForm(forms.Form):
    phase = forms.ChoiceField(
        label=_("Phase de l'évaluation"),
        choices=ReviewPhase.choices,
        help_text=_(
            "En discussion, chaque juré lit les évaluations des autres et la discussion de "
            "chaque candidature une fois la sienne soumise ; ils en sont prévenus par courriel."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Changer de phase"))


class LiftConflictForm(forms.Form):
    reason = forms.CharField(label=_("Motif de la levée"), max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Lever le conflit"))


# Above this many proposals, a list to choose from would weigh megabytes: the juror types
# the proposal's reference instead.
CONFLICT_CHOICES_MAX = 200


class ProposalChoiceField(forms.ModelChoiceField):
    """A proposal of the call, given by its public id (from the list) or its reference
    (typed, e.g. FN-2017-0042, in any case)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        reference_length = self.queryset.model._meta.get_field("reference").max_length
        if len(text) > max(reference_length, len(str(uuid.UUID(int=0)))):
            # Longer than any reference or id: no need to ask the database (a 50,000-character
            # reference was a 500 on SQLite, "LIKE pattern too complex").
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        try:
            lookup = {"public_id": uuid.UUID(text)}
        except ValueError:
            lookup = {"reference__iexact": text}
        try:
            return self.queryset.get(**lookup)
        except (self.queryset.model.DoesNotExist, self.queryset.model.MultipleObjectsReturned):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class DeclareConflictForm(forms.Form):
    proposal = ProposalChoiceField(
        label=_("Candidature"),
        queryset=None,
        to_field_name="public_id",
        error_messages={
            "required": _("Indiquez la candidature."),
            "invalid_choice": _(
                "Aucune candidature de cet appel ne porte cette référence, ou votre conflit "
                "y est déjà déclaré."
            ),
        },
    )
    type = forms.ChoiceField(label=_("Nature du conflit"), choices=ConflictType.choices)
    reason = forms.CharField(label=_("Motif"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, proposals, typed=False, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["proposal"]
        field.queryset = proposals
        if typed:
            field.label = _("Référence de la candidature")
            field.help_text = _(
                "Par exemple FN-2017-0042 : elle figure en tête de chaque candidature."
            )
            field.widget = forms.TextInput(attrs={"autocomplete": "off"})
        self.helper = submit_helper(_("Déclarer le conflit d'intérêts"))


class EvaluationForm(forms.Form):
    """One score per criterion on its scale (with "non applicable" when the call allows it),
    a comment per criterion, the overall comment and the recommendation."""

    recommendation = forms.ChoiceField(
        label=_("Recommandation"),
        choices=[("", "---------"), *Recommendation.choices],
        required=False,
    )
    comment = forms.CharField(
        label=_("Appréciation générale"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args, criteria, allows_na, evaluation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        existing = {s.criterion_id: s for s in evaluation.scores.all()} if evaluation else {}
        fieldsets = []
        for criterion in criteria:
            choices = [("", "---------")] + [
                (str(v), str(v)) for v in range(criterion.scale_max + 1)
            ]
            if allows_na:
                choices.append((NOT_APPLICABLE, _("Non applicable")))
            score = existing.get(criterion.pk)
            value_name, comment_name = f"score_{criterion.pk}", f"comment_{criterion.pk}"
            self.fields[value_name] = forms.ChoiceField(
                label=_("Note de 0 à %(max)s") % {"max": criterion.scale_max},
                choices=choices,
                required=False,
                help_text=criterion.description,
                initial=(
                    None
                    if score is None
                    else (NOT_APPLICABLE if score.value is None else str(score.value))
                ),
            )
            self.fields[comment_name] = forms.CharField(
                label=_("Commentaire"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=score.comment if score else "",
            )
            fieldsets.append(Fieldset(criterion.name, value_name, comment_name))
        if evaluation is not None:
            self.fields["recommendation"].initial = evaluation.recommendation
            self.fields["comment"].initial = evaluation.comment
        helper = FormHelper()
        helper.layout = Layout(
            *fieldsets, Fieldset(_("Votre avis d'ensemble"), "recommendation", "comment")
        )
        helper.add_input(
            Submit("save", _("Enregistrer le brouillon"), css_class="fr-btn--secondary")
        )
        helper.add_input(Submit("submit", _("Soumettre l'évaluation")))
        self.helper = helper

    def scores(self) -> dict:
        """criterion id → (value or None for "non applicable", comment); blanks left out."""
        result = {}
        for criterion in self.criteria:
            raw = self.cleaned_data.get(f"score_{criterion.pk}") or ""
            comment = self.cleaned_data.get(f"comment_{criterion.pk}", "")
            if raw == "":
                continue
            result[criterion.pk] = (None if raw == NOT_APPLICABLE else int(raw), comment)
        return result


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Motif de la réouverture"), max_length=2000)


QUEUE_FILTERS = [
    ("", _("Toutes")),
    ("todo", _("À noter")),
    ("scored", _("Notées")),
    ("conflicted", _("En conflit")),
]


# Longer searches are refused with a message (SQLite gives up on a LIKE pattern of 50,000).
SEARCH_MAX_LENGTH = 200


class RankingFilter(django_filters.FilterSet):
    """Filters of the staff's ranking table (the sort is the headers' links)."""

    q = django_filters.CharFilter(
        label=_("Rechercher"),
        field_name="title",
        lookup_expr="icontains",
        max_length=SEARCH_MAX_LENGTH,
        error_messages={"max_length": _("La recherche est limitée à %(limit_value)d caractères.")},
    )
    state = django_filters.ChoiceFilter(
        label=_("État"),
        choices=[(s.value, s.label) for s in ProposalState if s in ProposalState.jury_states],
    )
    flagged = django_filters.BooleanFilter(label=_("Désaccord signalé"), field_name="flagged")
    # The column the table is sorted by, kept when the filters are applied again.
    sort = django_filters.CharFilter(method="keep", widget=forms.HiddenInput, max_length=40)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        helper = FormHelper()
        helper.form_method = "get"
        helper.layout = Layout(Fieldset(_("Filtrer le classement"), *self.filters.keys()))
        helper.add_input(Submit("", _("Filtrer")))
        self.form.helper = helper

    def keep(self, queryset, name, value):
        return queryset  # the view sorts


class StaffConflictForm(forms.Form):
    juror = forms.ModelChoiceField(label=_("Juré"), queryset=None)
    proposal = forms.ModelChoiceField(
        label=_("Candidature"), queryset=None, to_field_name="public_id"
    )
    type = forms.ChoiceField(label=_("Nature du conflit"), choices=ConflictType.choices)
    reason = forms.CharField(label=_("Motif"), max_length=2000)

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["juror"].queryset = call.jury_members.select_related("user")
        self.fields["proposal"].queryset = call.proposals.filter(
            state__in=ProposalState.jury_states
        ).order_by("sequence", "pk")
        self.helper = submit_helper(_("Ajouter le conflit"))


class MoveAssignmentForm(forms.Form):
    proposal = forms.ModelChoiceField(
        label=_("Candidature"), queryset=None, to_field_name="public_id"
    )
    from_juror = forms.ModelChoiceField(label=_("Retirer à"), queryset=None)
    to_juror = forms.ModelChoiceField(label=_("Confier à"), queryset=None)

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        jurors = call.jury_members.select_related("user")
        self.fields["from_juror"].queryset = jurors
        self.fields["to_juror"].queryset = jurors
        self.fields["proposal"].queryset = call.proposals.filter(
            state__in=ProposalState.jury_states
        ).order_by("sequence", "pk")
        self.helper = submit_helper(_("Déplacer l'attribution"))


class JurySettingsForm(forms.Form):
    hide_juror_names = forms.BooleanField(
        label=_("Masquer les noms des jurés entre eux"), required=False
    )
    allows_not_applicable = forms.BooleanField(
        label=_("Proposer « non applicable » (compté comme note manquante)"), required=False
    )
    disagreement_threshold = FrenchDecimalField(
        label=_("Seuil de désaccord (note la plus haute moins la plus basse)"),
        min_value=0,
        max_digits=5,
        decimal_places=2,
    )
    review_closes_at = ParisDateTimeField(
        label=_("Fin de l'évaluation écrite (heure de Paris)"),
        required=False,
        help_text=_(
            "Facultatif. Les jurés sont relancés trois jours avant, puis en cas de retard ; "
            "l'équipe reçoit la liste des retardataires."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Enregistrer les réglages du jury"))


class NudgeForm(forms.Form):
    message = forms.CharField(
        label=_("Un mot de l'équipe (facultatif)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ajouté au message que reçoit chaque juré en retard."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Relancer ces jurés"))


class DiscussionPostForm(forms.Form):
    body = forms.CharField(
        label=_("Votre message"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
    internal = forms.BooleanField(
        label=_("Note interne : lue par l'équipe du programme seulement"), required=False
    )

    def __init__(self, *args, staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not staff:
            del self.fields["internal"]
        self.helper = submit_helper(_("Publier"))
