"""The `crispy_dsfr` template pack's tags: render a bound field the DSFR way, and the form's one
error summary.

Every field says once, truthfully, whether it must be filled: nothing when it is required
(the form says "Sauf mention contraire, tous les champs sont obligatoires."), "(facultatif)"
when it may stay empty, "(obligatoire pour déposer)" when a draft may leave it empty but the
submission needs it (a field carrying `needed_to_submit = True`). Its hint, its error and its
character counter are tied to it by `aria-describedby`.
"""

from django import forms, template
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from dsfr.utils import dsfr_input_class_attr

register = template.Library()

SNIPPETS = {
    "checkbox": "crispy_dsfr/fields/checkbox.html",
    "checkboxselectmultiple": "crispy_dsfr/fields/choices.html",
    "radioselect": "crispy_dsfr/fields/choices.html",
}
INPUT_SNIPPET = "crispy_dsfr/fields/input.html"
# A limit at least this long gets a live character counter (short codes do not need one).
COUNTER_FROM = 100


def marker(field) -> str:
    """What the label says of whether the field must be filled (see the module's docstring)."""
    if getattr(field.field, "needed_to_submit", False):
        return _("(obligatoire pour déposer)")
    if field.field.required or isinstance(field.field.widget, forms.CheckboxInput):
        # A single box is ticked or not: calling it optional says nothing.
        return ""
    return _("(facultatif)")


def counter_limit(field) -> int | None:
    limit = getattr(field.field, "max_length", None)
    widget = field.field.widget
    if limit and limit >= COUNTER_FROM and isinstance(widget, forms.Textarea | forms.TextInput):
        return limit
    return None


@register.simple_tag(takes_context=True)
def dsfr_field(context, field):
    """Render `field` the DSFR way: classes, error state, its marker, and `aria-describedby`
    naming its hint, its error and its counter. A search form (GET) marks nothing: every
    filter may stay empty."""
    widget = field.field.widget
    if field.widget_type in ("file", "clearablefile") and "class" not in widget.attrs:
        widget.attrs["class"] = "fr-upload"
        widget.group_class = "fr-upload-group"
    dsfr_input_class_attr(field)
    limit = counter_limit(field)
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_helptext")
    if field.errors:
        described.append(f"{field.auto_id}-desc-error")
        widget.attrs["aria-invalid"] = "true"
    else:
        widget.attrs.pop("aria-invalid", None)
    if limit:
        described.append(f"{field.auto_id}-counter")
        widget.attrs["data-counter"] = f"{field.auto_id}-counter"
    if described and field.widget_type not in ("radioselect", "checkboxselectmultiple"):
        widget.attrs["aria-describedby"] = " ".join(described)
    else:
        widget.attrs.pop("aria-describedby", None)
    length = len(field.value() or "") if limit and isinstance(field.value(), str) else 0
    return render_to_string(
        SNIPPETS.get(field.widget_type, INPUT_SNIPPET),
        {
            "field": field,
            "marker": "" if searching(context) else marker(field),
            "limit": limit,
            "length": length,
        },
    )


def searching(context) -> bool:
    return str(context.get("form_method") or "post").lower() == "get"


@register.filter
def error_target(field) -> str:
    """The id a link to `field` in the error summary points at (a group's first choice)."""
    return field.id_for_label or f"{field.auto_id}_0"


@register.filter
def has_required(form) -> bool:
    """Whether the form has a visible field that must be filled (then the form says that
    fields without a mention are required)."""
    return any(
        bf.field.required and not marker(bf) and not bf.is_hidden
        and not isinstance(bf.field.widget, forms.CheckboxInput)
        for bf in form
    )  # fmt: skip
