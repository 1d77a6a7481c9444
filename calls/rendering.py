"""Markdown written by staff, turned into HTML that is safe to show to everyone."""

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h2", "h3", "h4", "h5", "h6", "hr", "li",
    "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}


def render_markdown(text: str) -> SafeString:
    """Markdown to HTML, then sanitised: scripts, event handlers, styles and `javascript:`
    links never survive, whatever the author typed."""
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")
    # A level-1 title belongs to the page; authors' "#" titles become level 2.
    html = html.replace("<h1", "<h2").replace("</h1>", "</h2>")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    # Sanitised by nh3 just above.
    return mark_safe(clean)  # noqa: S308  # nosec B308 B703
