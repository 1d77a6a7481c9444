"""Forms of the expertise pages: the call's themes, a juror's themes and bids, a
proposal's themes, and the assignment matrix's filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from programme.forms import submit_helper
from projects.enums import BidChoice
from projects.services.expertise import BID_CONFLICT, THEMES_MAX

BID_CHOICES = [
    ("", _("Sans avis")),
    *BidChoice.choices,
    (BID_CONFLICT, _("Conflit d'intérêts")),
]


class CallThemesForm(forms.Form):
    themes = forms.CharField(
        label=_("Thèmes de l'appel"),
        help_text=_(
            "Un thème par ligne, %(n)s au plus ; les jurés déclarent les leurs dans cette liste."
        )
        % {"n": THEMES_MAX},
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=THEMES_MAX * 102,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Enregistrer les thèmes"))

    def names(self) -> list[str]:
        return self.cleaned_data["themes"].splitlines()


class ThemeChoiceForm(forms.Form):
    """Themes from a call's list, as checkboxes (a juror's expertise, a proposal's tags)."""

    themes = forms.ModelMultipleChoiceField(
        label=_("Thèmes"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, call, label=None, button=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = call.themes.all()
        if label:
            self.fields["themes"].label = label
        self.helper = submit_helper(button or _("Enregistrer mes thèmes"))


class BidsForm(forms.Form):
    """One choice per proposal of the page (`bid_<id>`), validated in one POST."""

    def __init__(self, *args, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        for proposal in proposals:
            self.fields[f"bid_{proposal.pk}"] = forms.ChoiceField(
                label=proposal.title,
                choices=BID_CHOICES,
                required=False,
                widget=forms.RadioSelect,
            )

    def choices(self) -> dict[int, str]:
        return {int(name.removeprefix("bid_")): value for name, value in self.cleaned_data.items()}


class MatrixFilterForm(forms.Form):
    theme = forms.ModelChoiceField(
        label=_("Thème"), queryset=None, required=False, empty_label=_("Tous")
    )
    under = forms.BooleanField(
        label=_("Seulement les candidatures à qui il manque des jurés"), required=False
    )
    k = forms.IntegerField(
        label=_("Jurés attendus par candidature"),
        min_value=1,
        max_value=20,
        initial=3,
        required=False,
    )

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = call.themes.all()
