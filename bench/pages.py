"""The pages `make bench` measures: one row per page, keyed by URL name.

To add a page, add a row. `args` names values of the bench data set (`targets()` in
`bench/run.py`: the ranking call's slug, a proposal's public id, the big cohort's slug,
the programme's slug, ...); `role` is who is signed in (`anonymous`, `staff` of the bench
programme, `juror` of the ranking call). A URL name that does not resolve (a page not in
this branch yet) is printed as "n/a — page absent" and skipped.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Page:
    label: str
    url_name: str
    args: tuple[str, ...] = ()
    role: str = "anonymous"
    query: str = ""
    # The floor: a bare view, the ratio of every other page's throughput is to this one's.
    floor: bool = False


PAGES: list[Page] = [
    Page("floor (bare view)", "healthz", floor=True),
    Page("public list of calls", "calls:list"),
    Page("call page", "calls:detail", ("open_call",)),
    Page("staff proposals, page 1", "projects:call-proposals", ("ranking_call",), "staff"),
    Page(
        "staff proposals, filtered",
        "projects:call-proposals",
        ("ranking_call",),
        "staff",
        "state=shortlisted&region={region}",
    ),
    Page(
        "staff proposals, search",
        "projects:call-proposals",
        ("ranking_call",),
        "staff",
        "q=digues",
    ),
    # Half-way down the list by its keyset cursor: must cost what page 1 costs.
    Page(
        "staff proposals, deep page",
        "projects:call-proposals",
        ("ranking_call",),
        "staff",
        "apres={deep_cursor}",
    ),
    Page("proposal page", "projects:detail", ("proposal",), "staff"),
    Page("jury ranking (10,000)", "jury:ranking", ("ranking_call",), "staff"),
    Page("shortlist for the auditions (10,000)", "jury:auditions", ("ranking_call",), "staff"),
    Page("juror's queue", "jury:mine", ("ranking_call",), "juror"),
    Page("juror's bids (10,000)", "jury:bids", ("ranking_call",), "juror"),
    Page("assignment matrix (300 jurors)", "jury:matrix", ("ranking_call",), "staff"),
    Page("proposal's jury page", "jury:proposal", ("proposal",), "staff"),
    # In deliberation, a third of the shortlisted decided: read-only rows, 50 a page.
    Page("deliberation", "jury:deliberation", ("ranking_call",), "staff"),
    # The one decision form a row opens on demand (the fragment the page's script fetches).
    Page("decision form (fragment)", "jury:decide", ("shortlisted",), "staff", "fragment=1"),
    Page("public cohort page", "cohorts:detail", ("big_cohort",)),
    Page("programme page", "programme-detail", ("programme",)),
    Page("call reminders", "reminders:call", ("ranking_call",), "staff"),
    Page("staff cohort desk (1,000)", "cohorts:manage", ("big_cohort",), "staff"),
    Page("laureats.csv (1,000)", "cohorts:csv", ("big_cohort",)),
    # Built on another branch: the integrator checks the URL name and its arguments.
    Page("staff follow-up dashboard", "cohorts:followup", ("big_cohort",), "staff"),
]


def targets() -> dict[str, str]:
    """The values the table's `args` name, read from the bench data set."""
    from calls.models import Call
    from demo import bench as benchdata
    from projects.models import Proposal

    call = Call.objects.get(slug=benchdata.RANKING_CALL)
    proposal = Proposal.objects.filter(call=call).order_by("sequence").first()
    # The filtered page's region: one that shortlisted proposals have, so the page has rows.
    shortlisted = (
        Proposal.objects.filter(call=call, state="shortlisted").order_by("sequence").first()
        or proposal
    )
    return {
        "deep_cursor": _deep_cursor(call),
        "ranking_call": call.slug,
        "open_call": benchdata.DRAFTS_CALL,
        "proposal": str(proposal.public_id),
        "shortlisted": str(shortlisted.public_id),
        "big_cohort": benchdata.BIG_COHORT,
        "programme": benchdata.SLUG,
        "region": shortlisted.structure.region if shortlisted.structure else "",
    }


def _deep_cursor(call) -> str:
    """The staff list's cursor after its middle row, as its "next" link would carry it."""
    from programme import keyset
    from projects.queries import proposals as queries

    sort = queries.STAFF_DEFAULT_SORT
    rows = queries.staff_list(call).order_by(*keyset.order(queries.staff_keys(sort)))
    middle = rows.count() // 2
    row = rows[max(middle - 1, 0)]
    return keyset.cursor_of(
        queries.staff_keys(sort), row, middle, salt=queries.staff_salt(call, sort)
    )


def path_of(page: Page, values: dict[str, str]) -> str | None:
    """The page's address with its query string, or None when the URL name is absent."""
    try:
        path = reverse(page.url_name, args=[values[a] for a in page.args])
    except (NoReverseMatch, KeyError):
        return None
    return f"{path}?{page.query.format(**values)}" if page.query else path
