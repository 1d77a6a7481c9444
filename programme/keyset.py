"""Keyset pages: the next page starts after the last row shown, by the values of the sort
keys, never by an OFFSET that makes the database walk every row before it.

A page is asked for with a signed cursor (`?apres=...`) carrying the last row's key values
and its position (so ranks keep counting); a cursor that does not verify gives the first
page. Every key sorts with missing values last; the last key must be unique (the pk).

    keys = [Key("final", descending=True), Key("submitted_at", kind=datetime), Key("pk", kind=int)]
    page = keyset.paginate(queryset, keys, request.GET.get("apres"), size=50, salt="deliberation")
    page.rows, page.start (rows before this page), page.next (cursor, or None), page.first
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.core import signing
from django.db.models import F, Q

PARAM = "apres"


@dataclass(frozen=True)
class Key:
    name: str
    descending: bool = False
    kind: type = float
    # False for a column that is never NULL: a plain ASC/DESC, which an index in that
    # direction serves (PostgreSQL matches NULLS FIRST/LAST literally).
    nullable: bool = True


@dataclass
class Page:
    rows: list
    start: int = 0
    next: str | None = None
    first: bool = True
    size: int = 50
    extra: dict = field(default_factory=dict)

    @property
    def end(self) -> int:
        return self.start + len(self.rows)


def order(keys: list[Key]) -> list:
    out = []
    for k in keys:
        nulls = {"nulls_last": True} if k.nullable else {}
        out.append(F(k.name).desc(**nulls) if k.descending else F(k.name).asc(**nulls))
    return out


def after(keys: list[Key], values: list) -> Q:
    """Rows after `values` in the order of `keys` (missing values last)."""
    condition = Q(pk__in=[])
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        if value is not None:
            beyond = Q(**{f"{key.name}__{'lt' if key.descending else 'gt'}": value})
            if key.nullable:
                beyond |= Q(**{f"{key.name}__isnull": True})
            condition |= equal & beyond
            equal &= Q(**{key.name: value})
        else:
            # Nothing comes after a missing value on this key: equal, then the next keys.
            equal &= Q(**{f"{key.name}__isnull": True})
    return condition


def _encode(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _decode(key: Key, value):
    if value is None:
        return None
    if key.kind is datetime:
        return datetime.fromisoformat(value)
    if key.kind is date:
        return date.fromisoformat(value)
    if key.kind is Decimal:
        return Decimal(value)
    return key.kind(value)


def cursor_of(keys: list[Key], row, position: int, salt: str) -> str:
    values = [_encode(getattr(row, k.name)) for k in keys]
    return signing.dumps({"v": values, "n": position}, salt=f"keyset:{salt}", compress=True)


def read(keys: list[Key], cursor: str | None, salt: str) -> tuple[list | None, int]:
    """(values, position) of a cursor, or (None, 0) for the first page."""
    if not cursor:
        return None, 0
    try:
        data = signing.loads(cursor, salt=f"keyset:{salt}")
        values = [_decode(k, v) for k, v in zip(keys, data["v"], strict=True)]
        return values, max(0, int(data["n"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None, 0


def paginate(queryset, keys: list[Key], cursor: str | None, *, size: int, salt: str) -> Page:
    """One page of `queryset` ordered by `keys`, after `cursor`: one query of size + 1 rows."""
    values, start = read(keys, cursor, salt)
    ordered = queryset.order_by(*order(keys))
    if values is not None:
        ordered = ordered.filter(after(keys, values))
    rows = list(ordered[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    following = cursor_of(keys, rows[-1], start + len(rows), salt) if more and rows else None
    return Page(rows=rows, start=start, next=following, first=values is None, size=size)


def links(query, page: Page) -> dict:
    """The addresses of the first and the next page, keeping every other parameter of `query`
    (the filters and the sort, a QueryDict such as request.GET): what
    `includes/keyset_pagination.html` reads."""
    query = query.copy()
    query.pop(PARAM, None)
    query.pop("page", None)  # an offset page number from an old link means nothing here
    filters = query.urlencode()
    if page.next:
        query[PARAM] = page.next
    return {
        "first_url": f"?{filters}" if filters else "?",
        "next_url": f"?{query.urlencode()}" if page.next else "",
    }
