"""What staff read beside the ranking: each juror's score distribution against the panel's,
and an evaluation's submitted versions side by side.

A distribution counts the weighted totals of counted evaluations (submitted, no active
conflict: `projects.queries.ranking.counted_evaluations`) in bins one point wide, from 0 to the
highest scale of the call's criteria. Two queries whatever the size of the call: the
bins per juror, and the jurors with their statistics.
"""

from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, Max, Value
from django.db.models.functions import Cast, Floor, Greatest, Least
from django.utils.translation import gettext as _

from calls.models import Call
from projects.enums import Recommendation
from projects.models import Evaluation
from projects.queries.ranking import counted_evaluations, juror_statistics

# The drawing of one juror's histogram (SVG user units).
CHART_WIDTH = 320
CHART_HEIGHT = 120
AXIS_HEIGHT = 18


@dataclass
class Distribution:
    """A juror's totals (or the panel's) binned, with the bars to draw."""

    label: str
    counts: list[int]
    mean: float | None = None
    sd: float | None = None
    bars: list[dict] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def shares(self) -> list[float]:
        total = self.total
        return [count / total if total else 0.0 for count in self.counts]


def scale_of(call: Call) -> int:
    """The highest note of the call's criteria (5 when the call has none yet)."""
    top = call.criteria.aggregate(top=Max("scale_max"))["top"]
    return int(top or 5)


def bin_labels(scale: int) -> list[str]:
    """'0–1', '1–2', … ; the last bin holds the top note too."""
    return [f"{low}–{low + 1}" for low in range(scale)]


def distributions(call: Call) -> tuple[Distribution, list[Distribution], list[str]]:
    """The panel's distribution, each juror's (every seat, even without a submitted
    evaluation), and the bins' labels."""
    scale = scale_of(call)
    bin_of = Greatest(Value(0), Least(Cast(Floor("total"), IntegerField()), Value(scale - 1)))
    rows = (
        counted_evaluations(call)
        .annotate(bin=bin_of)
        .values("assignment__juror_id", "bin")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[int, list[int]] = {}
    for row in rows:
        counts.setdefault(row["assignment__juror_id"], [0] * scale)[row["bin"]] += row["n"]
    stats = juror_statistics(call)
    panel_counts = [sum(juror[i] for juror in counts.values()) for i in range(scale)]
    panel = Distribution(label=_("Ensemble du jury"), counts=panel_counts)
    weighted = [(n, mean) for n, mean, _sd in stats.values() if mean is not None]
    if weighted:
        panel.mean = sum(n * mean for n, mean in weighted) / sum(n for n, _mean in weighted)
    jurors = []
    for seat in call.jury_members.select_related("user").order_by(
        "user__last_name", "user__first_name", "pk"
    ):
        n, mean, sd = stats.get(seat.pk, (0, None, None))
        jurors.append(
            Distribution(
                label=seat.user.get_full_name() or seat.user.email,
                counts=counts.get(seat.pk, [0] * scale),
                mean=mean,
                sd=sd,
            )
        )
    labels = bin_labels(scale)
    for distribution in (panel, *jurors):
        distribution.bars = _bars(distribution.shares, panel.shares, labels)
    return panel, jurors, labels


def _bars(shares: list[float], panel_shares: list[float], labels: list[str]) -> list[dict]:
    """Two bars per bin: the juror's share of their scores, and the panel's beside it."""
    slot = CHART_WIDTH / max(len(shares), 1)
    plot = CHART_HEIGHT - AXIS_HEIGHT
    bars = []
    for i, (share, panel_share, label) in enumerate(zip(shares, panel_shares, labels, strict=True)):
        own, other = round(share * plot, 1), round(panel_share * plot, 1)
        bars.append(
            {
                "x": round(i * slot + slot * 0.1, 1),
                "panel_x": round(i * slot + slot * 0.5, 1),
                "width": round(slot * 0.38, 1),
                "y": round(plot - own, 1),
                "height": own,
                "panel_y": round(plot - other, 1),
                "panel_height": other,
                "label_x": round(i * slot + slot / 2, 1),
                "percent": round(share * 100),
                "label": label,
            }
        )
    return bars


# --- Versions of an evaluation ------------------------------------------------------------


@dataclass
class VersionRow:
    """One line of the comparison: a criterion (or the total, the recommendation)."""

    label: str
    cells: list[dict]


def compare_versions(evaluation: Evaluation) -> tuple[list, list[VersionRow]]:
    """The submitted versions in order, and per criterion the note and comment of each,
    with `changed` set where a version differs from the one before it."""
    versions = list(evaluation.versions.order_by("number"))
    names: dict[str, str] = {}
    for version in versions:
        for key, score in version.content.get("scores", {}).items():
            names.setdefault(key, score.get("criterion", key))
    rows = [
        VersionRow(name, _cells(versions, lambda v, key=key: _score(v, key)))
        for key, name in names.items()
    ]
    rows.append(VersionRow(_("Note globale pondérée"), _cells(versions, _total)))
    rows.append(VersionRow(_("Recommandation"), _cells(versions, _recommendation)))
    rows.append(
        VersionRow(
            _("Appréciation générale"),
            _cells(versions, lambda v: ("", v.content.get("comment", ""))),
        )
    )
    return versions, rows


def _score(version, key) -> tuple[str, str]:
    score = version.content.get("scores", {}).get(key)
    if score is None:
        return "—", ""
    value = score.get("value")
    return (_("non applicable") if value is None else str(value)), score.get("comment", "")


def _total(version) -> tuple[str, str]:
    total = version.content.get("total")
    return ("—" if total is None else f"{total:.2f}".replace(".", ",")), ""


def _recommendation(version) -> tuple[str, str]:
    value = version.content.get("recommendation")
    try:
        return str(Recommendation(value).label), ""
    except ValueError:
        return value or "—", ""


def _cells(versions, read) -> list[dict]:
    cells, before = [], None
    for index, version in enumerate(versions):
        text, comment = read(version)
        cells.append(
            {"text": text, "comment": comment, "changed": index > 0 and (text, comment) != before}
        )
        before = (text, comment)
    return cells
