"""The one way a table is shown: in the DSFR table wrapper, scrolling sideways on a narrow
screen inside a region the keyboard can reach and a screen reader can name.

    {% load tables %}
    {% scrollable_table %}<table><caption>…</caption>…</table>{% endscrollable_table %}

The region is named by the table's caption; a table without one passes its name:
`{% scrollable_table label=_("Les lauréats") %}`.
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


class ScrollableTableNode(template.Node):
    def __init__(self, nodelist, label, extra_class):
        self.nodelist = nodelist
        self.label = label
        self.extra_class = extra_class

    def render(self, context):
        table = self.nodelist.render(context)
        extra_class = self.extra_class.resolve(context) if self.extra_class else ""
        if self.label is not None:
            name = format_html('aria-label="{}"', self.label.resolve(context))
        else:
            # Numbered within one rendering, so the same page always gets the same ids.
            number = context.render_context.get(self, 0) + 1
            context.render_context[self] = number
            caption_id = f"table-caption-{id(self) % 10_000}-{number}"
            if "<caption" not in table:
                raise template.TemplateSyntaxError("a table without caption needs label=")
            table = table.replace("<caption", f'<caption id="{caption_id}"', 1)
            name = format_html('aria-labelledby="{}"', caption_id)
        return format_html(
            '<div class="fr-table {}"><div class="fr-table__wrapper">'
            '<div class="fr-table__container" tabindex="0" role="region" {}>'
            '<div class="fr-table__content">{}</div></div></div></div>',
            extra_class,
            name,
            # The template's own rendered output (already escaped); replace() dropped the flag.
            mark_safe(table),  # noqa: S308  # nosec B308 B703
        )


@register.tag
def scrollable_table(parser, token):
    """`{% scrollable_table [label=…] [extra_class=…] %}…{% endscrollable_table %}`."""
    bits = token.split_contents()[1:]
    options = {}
    for bit in bits:
        key, _, value = bit.partition("=")
        if key not in ("label", "extra_class") or not value:
            raise template.TemplateSyntaxError(f"scrollable_table: unknown option {bit!r}")
        options[key] = parser.compile_filter(value)
    nodelist = parser.parse(("endscrollable_table",))
    parser.delete_first_token()
    return ScrollableTableNode(nodelist, options.get("label"), options.get("extra_class"))
