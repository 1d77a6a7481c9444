from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.enums import CallState
from calls.rendering import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    """Render staff-written Markdown, sanitised."""
    return render_markdown(text)


@register.filter
def status_label(call, now=None):
    """The state a person should see, e.g. "Clos" for a published call past its deadline."""
    now = now or timezone.now()
    if call.is_open(now):
        return _("Ouvert")
    if call.is_upcoming(now):
        return _("À venir")
    return CallState(call.state_at(now)).label
