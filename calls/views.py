from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from programme.views import crumbs

from .models import Call
from .queries import public_calls


def call_list(request):
    now = timezone.now()
    calls = public_calls().order_by("-opens_at")
    return render(
        request,
        "calls/call_list.html",
        {
            "page_title": _("Appels à projets"),
            "open": [c for c in calls if c.is_open(now)],
            "upcoming": [c for c in calls if c.state == "published" and c.opens_at > now],
            "closed": [
                c
                for c in calls
                if not c.is_open(now) and not (c.state == "published" and c.opens_at > now)
            ],
            "now": now,
            "breadcrumb_data": crumbs(current=_("Appels à projets")),
        },
    )


def call_detail(request, slug):
    call = get_object_or_404(Call.objects.select_related("programme"), slug=slug)
    if not request.user.has_perm("calls.view_call", call):
        raise Http404
    return render(
        request,
        "calls/call_detail.html",
        {
            "page_title": call.title,
            "call": call,
            "now": timezone.now(),
            "is_open": call.is_open(timezone.now()),
            "criteria": call.criteria.all(),
            "breadcrumb_data": crumbs(
                (_("Appels à projets"), reverse("calls:list")), current=call.edition
            ),
        },
    )
