"""Staff pages of the reminders: per call and per cohort, with filters and a resend."""

from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calls.loaders import load_call
from cohorts.filters import ReminderFilter
from cohorts.queries.reminders import reminders_for_staff, state_counts
from cohorts.views import load_cohort, staff_crumbs
from programme import fragments, keyset, web
from programme.enums import ReminderKind, ReminderState, choice_labels
from programme.models import Reminder
from programme.reminders import resend_reminder

PAGE_SIZE = 50
REMINDER_KEYS = [
    keyset.Key("created_at", descending=True, kind=datetime, nullable=False),
    keyset.Key("pk", descending=True, kind=int, nullable=False),
]


def load_reminder(pk: int) -> Reminder:
    return get_object_or_404(
        Reminder.objects.select_related("recipient", "call__programme", "cohort__programme"),
        pk=pk,
    )


def _reminder_page(request, *, scope: dict, heading: str, programme):
    reminders = ReminderFilter(request.GET or None, queryset=reminders_for_staff(**scope))
    # Newest first by keyset, served by the scope's (…, -created_at, -id) index.
    page = keyset.paginate(
        reminders.qs,
        REMINDER_KEYS,
        request.GET.get(keyset.PARAM),
        size=PAGE_SIZE,
        salt="reminders:" + ":".join(f"{k}={v.pk}" for k, v in scope.items()),
    )
    kinds, states = choice_labels(ReminderKind), choice_labels(ReminderState)
    for reminder in page.rows:
        reminder.kind_label = kinds.get(reminder.kind, reminder.kind)
        reminder.state_label = states.get(reminder.state, reminder.state)
    return render(
        request,
        "cohorts/reminder_list.html",
        {
            "page_title": heading,
            "filter": reminders,
            # The filter form's fields depend only on what was typed: rendered once.
            "filter_fields": fragments.render_once(
                [
                    "reminder-filter",
                    fragments.typed(reminders.form, request.GET),
                    reminders.is_bound,
                ],
                lambda: render_to_string(
                    "cohorts/reminder_list.html#filter-fields", {"filter": reminders}
                ),
            ),
            "page": page,
            "total": reminders.qs.count(),
            **keyset.links(request.GET, page),
            "counts": state_counts(**scope),
            "breadcrumb_data": staff_crumbs(programme, heading),
        },
    )


@login_required
@web.object_permission("cohorts.follow_reminders", load_call)
def call_reminders(request, call):
    return _reminder_page(
        request,
        scope={"call": call},
        heading=_("Rappels de l'appel %(edition)s") % {"edition": call.edition},
        programme=call.programme,
    )


@login_required
@web.object_permission("cohorts.follow_reminders", load_cohort)
def cohort_reminders(request, cohort):
    return _reminder_page(
        request,
        scope={"cohort": cohort},
        heading=_("Rappels de la promotion %(label)s") % {"label": cohort.label},
        programme=cohort.programme,
    )


@login_required
@require_POST
@web.object_permission("cohorts.resend_reminder", load_reminder)
def resend(request, reminder):
    web.run(
        request,
        resend_reminder,
        reminder,
        by=request.user,
        now=timezone.now(),
        success=_("Le rappel à %(email)s est renvoyé.") % {"email": reminder.recipient.email},
    )
    if reminder.call_id:
        back = reverse("reminders:call", kwargs={"slug": reminder.call.slug})
    elif reminder.cohort_id:
        back = reverse("reminders:cohort", kwargs={"slug": reminder.cohort.slug})
    else:
        back = reverse("dashboard")
    return redirect(back)
