"""Every public page, on a phone (320 px) and on a laptop (1280 px): no serious or critical
accessibility violation (axe-core), every table reachable with the keyboard, no heading level
skipped, and the funnel chart's text readable."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from calls.enums import CallState
from projects.enums import ProposalState
from tests import factories

pytestmark = pytest.mark.browser

WIDTHS = (320, 1280)


def _public_world():
    """A programme with an open call, a call with its results out and its published promotion."""
    programme = factories.ProgrammeFactory(name="Fabrique numérique", slug="fabrique")
    open_call = factories.CallFactory(programme=programme, edition="FN 2026", slug="fn-2026")
    done = factories.CallFactory(
        programme=programme,
        edition="FN 2025",
        slug="fn-2025",
        state=CallState.RESULTS_PUBLISHED,
    )
    cohort = factories.CohortFactory(programme=programme, label="Promotion 2025", slug="fn-25")
    for number in range(12):
        proposal = factories.ProposalFactory(
            call=done,
            title=f"Un projet au titre assez long pour déborder d'un écran {number}",
            state=ProposalState.SELECTED if number < 4 else ProposalState.NOT_SELECTED,
        )
        if number < 4:
            factories.LaureateFactory(
                cohort=cohort, proposal=proposal, name=f"Startup d'État numéro {number}"
            )
    return [
        reverse("home"),
        reverse("programme-list"),
        programme.get_absolute_url(),
        reverse("calls:list"),
        open_call.get_absolute_url(),
        reverse("cohorts:index"),
        cohort.get_absolute_url(),
        reverse("jury:results", args=[done.slug]),
        reverse("footer-legal-notice"),
        reverse("footer-accessibility-status"),
        reverse("footer-personal-data"),
        reverse("footer-sitemap"),
        reverse("login"),
        reverse("signup"),
    ]


def _skipped_heading_levels(page) -> list[str]:
    return page.evaluate(
        """() => {
            const skips = [];
            let level = 0;
            const headings = "main h1, main h2, main h3, main h4, main h5, main h6";
            for (const h of document.querySelectorAll(headings)) {
                const next = Number(h.tagName[1]);
                if (next > level + 1) skips.push(`${h.tagName} after h${level}: ${h.textContent}`);
                level = next;
            }
            return skips;
        }"""
    )


def _unreachable_scrolling_regions(page) -> list[str]:
    """Elements that scroll sideways but cannot take the keyboard focus or have no name."""
    return page.evaluate(
        """() => [...document.querySelectorAll("main *")]
            .filter((el) => el.scrollWidth > el.clientWidth + 1
                && ["auto", "scroll"].includes(getComputedStyle(el).overflowX))
            .filter((el) => el.tabIndex < 0 || !(el.getAttribute("aria-label")
                || el.getAttribute("aria-labelledby")))
            .map((el) => el.outerHTML.slice(0, 120))"""
    )


def _smallest_chart_text(page) -> float:
    """The smallest text of the funnel charts on screen, in CSS pixels."""
    return page.evaluate(
        # The text's font size times the scale the chart is drawn at, for the visible charts.
        """() => Math.min(1000, ...[...document.querySelectorAll("main figure svg text")]
            .filter((t) => t.getBoundingClientRect().height > 0)
            .map((t) => parseFloat(t.getAttribute("font-size")) * t.getScreenCTM().a))"""
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_every_public_page_is_accessible_at_phone_and_laptop_width(page, assert_accessible, width):
    page.set_viewport_size({"width": width, "height": 800})
    for url in _public_world():
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert _skipped_heading_levels(page) == [], url
        assert _unreachable_scrolling_regions(page) == [], url
        assert_accessible(page)


def test_the_funnel_stays_readable_on_a_phone(page):
    urls = _public_world()
    page.set_viewport_size({"width": 320, "height": 800})
    for url in (urls[6], urls[7]):  # the promotion and its call's results
        page.goto(url)
        expect(page.get_by_role("table").first).to_be_visible()
        # Each step's label and figure is drawn at 12 px or more, on the chart and in its table.
        expect(page.locator("main figure svg:visible").first).to_be_visible()
        assert _smallest_chart_text(page) >= 12, url
        sizes = page.evaluate(
            """() => [...document.querySelectorAll("main figure")].map((f) =>
                parseFloat(getComputedStyle(f.querySelector("td") || f).fontSize))"""
        )
        assert all(size >= 12 for size in sizes), (url, sizes)
