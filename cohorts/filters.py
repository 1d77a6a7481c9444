import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programme.enums import ReminderKind, ReminderState
from programme.models import Reminder


class ReminderFilter(django_filters.FilterSet):
    """The staff's filters on the reminders of one call or one cohort."""

    kind = django_filters.ChoiceFilter(label=_("Nature"), choices=ReminderKind.choices)
    state = django_filters.ChoiceFilter(label=_("État"), choices=ReminderState.choices)
    recipient = django_filters.CharFilter(
        label=_("Destinataire (nom ou adresse)"), method="search_recipient", max_length=200
    )

    class Meta:
        model = Reminder
        fields = ["kind", "state", "recipient"]

    def search_recipient(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(recipient__email__icontains=value)
            | Q(recipient__first_name__icontains=value)
            | Q(recipient__last_name__icontains=value)
        )
