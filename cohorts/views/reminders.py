"""Staff pages of the reminders: per call and per cohort, with filters and a resend."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from calls.models import Call
from cohorts.enums import ReminderState
from cohorts.filters import ReminderFilter
from cohorts.models import Cohort, Reminder
from cohorts.queries.reminders import reminders_for_staff, state_counts
from cohorts.services import reminders as services
from programme.exceptions import TransitionError
from programme.web import crumbs

PAGE_SIZE = 50


def _call(request, slug):
    return get_object_or_404(Call.objects.select_related("programme"), slug=slug)


def _cohort(request, slug):
    return get_object_or_404(Cohort.objects.select_related("programme"), slug=slug)


def _reminder(request, pk):
    return get_object_or_404(
        Reminder.objects.select_related("call__programme", "cohort__programme"), pk=pk
    )


def _reminder_page(request, *, scope: dict, heading: str, programme):
    reminders = ReminderFilter(request.GET or None, queryset=reminders_for_staff(**scope))
    page = Paginator(reminders.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cohorts/reminder_list.html",
        {
            "page_title": heading,
            "filter": reminders,
            "page_obj": page,
            "counts": state_counts(**scope),
            "resendable": ReminderState.resendable_states,
            "breadcrumb_data": crumbs(
                (_("Mon espace"), reverse("dashboard")),
                (programme.name, reverse("programme-manage", kwargs={"slug": programme.slug})),
                current=heading,
            ),
        },
    )


@login_required
@permission_required("cohorts.follow_reminders", fn=_call, raise_exception=True)
def call_reminders(request, slug):
    call = _call(request, slug)
    return _reminder_page(
        request,
        scope={"call": call},
        heading=_("Rappels de l'appel %(edition)s") % {"edition": call.edition},
        programme=call.programme,
    )


@login_required
@permission_required("cohorts.follow_reminders", fn=_cohort, raise_exception=True)
def cohort_reminders(request, slug):
    cohort = _cohort(request, slug)
    return _reminder_page(
        request,
        scope={"cohort": cohort},
        heading=_("Rappels de la promotion %(label)s") % {"label": cohort.label},
        programme=cohort.programme,
    )


@login_required
@require_POST
@permission_required("cohorts.resend_reminder", fn=_reminder, raise_exception=True)
def resend(request, pk):
    reminder = _reminder(request, pk)
    try:
        services.resend_reminder(reminder, by=request.user, now=timezone.now())
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Le rappel à %(email)s est renvoyé.") % {"email": reminder.recipient.email},
        )
    if reminder.call_id:
        back = reverse("reminders:call", kwargs={"slug": reminder.call.slug})
    elif reminder.cohort_id:
        back = reverse("reminders:cohort", kwargs={"slug": reminder.cohort.slug})
    else:
        back = reverse("dashboard")
    return redirect(back)
