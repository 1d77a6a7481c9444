from datetime import datetime

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programme.models import Programme

from .enums import CallState
from .models import Call

STATUS_CHOICES = [
    ("open", _("Ouverts")),
    ("upcoming", _("À venir")),
    ("closed", _("Clos")),
]


def status_q(status: str, now: datetime) -> Q:
    """The calls a visitor sees as open, upcoming or closed at `now`."""
    published = Q(state=CallState.PUBLISHED)
    if status == "open":
        return published & Q(opens_at__lte=now, closes_at__gt=now)
    if status == "upcoming":
        return published & Q(opens_at__gt=now)
    return ~published | Q(closes_at__lte=now)


class PublicCallFilter(django_filters.FilterSet):
    programme = django_filters.ModelChoiceFilter(
        label=_("Programme"),
        queryset=Programme.objects.order_by("name"),
        to_field_name="slug",
        empty_label=_("Tous les programmes"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Statut"),
        choices=STATUS_CHOICES,
        method="filter_status",
        empty_label=_("Tous les statuts"),
    )
    year = django_filters.NumberFilter(
        label=_("Année"), method="filter_year", min_value=2000, max_value=2100
    )

    class Meta:
        model = Call
        fields = ["programme", "status", "year"]

    def __init__(self, *args, now: datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now
        self.form.fields["year"].error_messages["invalid"] = _("Saisissez une année, ex. 2023.")
        self.form.fields["year"].error_messages["min_value"] = _("Saisissez une année après 2000.")
        self.form.fields["year"].error_messages["max_value"] = _("Saisissez une année avant 2100.")
        helper = FormHelper()
        helper.form_method = "get"
        helper.layout = Layout(Fieldset(_("Filtrer les appels"), "programme", "status", "year"))
        helper.add_input(Submit("", _("Filtrer")))
        self.form.helper = helper

    def filter_status(self, queryset, name, value):
        return queryset.filter(status_q(value, self.now)) if value else queryset

    def filter_year(self, queryset, name, value):
        """Calls running during that year (opening or closing in it)."""
        if value is None:
            return queryset
        year = int(value)
        return queryset.filter(Q(opens_at__year=year) | Q(closes_at__year=year))
