import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django.utils.translation import gettext_lazy as _

from calls.models import Defi
from programme.enums import Region, StructureType
from projects.queries import proposals as queries

from .enums import ProposalState

# Longer than any title or name searched for; a longer pattern is refused by the database.
SEARCH_MAX_LENGTH = 200


class ProposalFilter(django_filters.FilterSet):
    """Filters of the staff's list of a call's proposals."""

    q = django_filters.CharFilter(
        label=_("Rechercher"),
        method="search",
        max_length=SEARCH_MAX_LENGTH,
        error_messages={
            "max_length": _(
                "La recherche compte au plus %(limit_value)d caractères (vous en avez saisi "
                "%(show_value)d) : raccourcissez-la."
            )
        },
    )
    state = django_filters.ChoiceFilter(
        label=_("État"),
        choices=[(s.value, s.label) for s in ProposalState if s in ProposalState.submitted_states],
    )
    structure_type = django_filters.ChoiceFilter(
        label=_("Type de structure"), field_name="structure__type", choices=StructureType.choices
    )
    region = django_filters.ChoiceFilter(
        label=_("Région"), field_name="structure__region", choices=Region.choices
    )
    defi = django_filters.ModelChoiceFilter(label=_("Défi"), queryset=Defi.objects.none())
    ordering = django_filters.OrderingFilter(
        label=_("Trier par"),
        fields=(
            ("sequence", "reference"),
            ("title", "title"),
            ("submitted_at", "submitted_at"),
            ("state", "state"),
            ("structure__name", "structure"),
        ),
        field_labels={
            "sequence": _("Référence"),
            "title": _("Titre"),
            "submitted_at": _("Date de dépôt"),
            "state": _("État"),
            "structure__name": _("Structure"),
        },
    )

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        defis = Defi.objects.filter(applications__call=call).distinct()
        if defis.exists():
            self.filters["defi"].queryset = defis
        else:
            del self.filters["defi"]
        helper = FormHelper()
        helper.form_method = "get"
        helper.layout = Layout(Fieldset(_("Filtrer les candidatures"), *self.filters.keys()))
        helper.add_input(Submit("", _("Filtrer")))
        self.form.helper = helper

    def search(self, queryset, name, value):
        return queries.search(queryset, value)
