"""The `crispy_dsfr` template pack's one tag: render a bound field with django-dsfr's snippets."""

from django import template
from django.template.loader import render_to_string
from dsfr.utils import dsfr_input_class_attr

register = template.Library()

SNIPPETS = {
    "checkbox": "dsfr/form_field_snippets/checkbox_snippet.html",
    "checkboxselectmultiple": "dsfr/form_field_snippets/checkboxselectmultiple_snippet.html",
    "radioselect": "dsfr/form_field_snippets/radioselect_snippet.html",
}
INPUT_SNIPPET = "dsfr/form_field_snippets/input_snippet.html"


@register.simple_tag
def dsfr_field(field):
    """Render `field` the DSFR way: classes, error state and `aria-describedby` to its message."""
    widget = field.field.widget
    if field.widget_type in ("file", "clearablefile") and "class" not in widget.attrs:
        widget.attrs["class"] = "fr-upload"
        widget.group_class = "fr-upload-group"
    dsfr_input_class_attr(field)
    if field.errors:
        # dsfr_input_class_attr only marks errors found before rendering; make sure of it.
        widget.attrs.update(
            {"aria-invalid": "true", "aria-describedby": f"{field.auto_id}-desc-error"}
        )
    return render_to_string(SNIPPETS.get(field.widget_type, INPUT_SNIPPET), {"field": field})
