from django import template

from calls.rendering import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    """Render staff-written Markdown, sanitised."""
    return render_markdown(text)
