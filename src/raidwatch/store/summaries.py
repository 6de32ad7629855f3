"""Operation summaries: the merge policy's values of every live operation in
one flat row (plus facet rows for agencies, tactics and venues), so the
dashboard and the API can filter, sort, page and add up in SQL, fast on
100,000 operations. Rows are derived from the claims and rebuilt by every
write that can change them (`write_summaries`); the queries live here too.
"""
from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, delete, func, insert, select

from raidwatch.model import COUNT_NAMES

from .schema import OperationFacetRow, OperationSummaryRow, utcnow

S = OperationSummaryRow
WALK_ABOVE = 2000  # matching operations above which a list page walks the sort order (see Filters.apply)
FACET_KINDS = {"agency": "agencies", "tactic": "tactics", "venue": "venues"}
SORTS = {
    "date": (S.date_start, S.operation_id),
    "arrests": (S.arrested_total, S.operation_id),
    "id": (S.operation_id,),
    "updated": (S.updated_at, S.operation_id),
}


def write_summaries(session, operations: list[dict[str, Any]], ids: set[int] | None) -> None:
    """Replace the summary and facet rows of `ids` (all when None) by those
    of `operations` (as `Store.operations()` builds them)."""
    if ids is None:
        session.execute(delete(OperationFacetRow))
        session.execute(delete(OperationSummaryRow))
    else:
        id_list = sorted(ids)
        for start in range(0, len(id_list), 500):
            chunk = id_list[start:start + 500]
            session.execute(delete(OperationFacetRow).where(OperationFacetRow.operation_id.in_(chunk)))
            session.execute(delete(OperationSummaryRow).where(OperationSummaryRow.operation_id.in_(chunk)))
    now = utcnow()
    rows, facets = [], []
    for op in operations:
        rows.append(summary_row(op, now))
        for kind, key in FACET_KINDS.items():
            for value in dict.fromkeys(op.get(key) or ()):
                facets.append({"operation_id": op["id"], "kind": kind, "value": value})
    # Core inserts on the tables (one executemany per chunk): the ORM's bulk
    # insert leaves out the None values of each row and so sends one
    # statement per distinct pattern of empty columns, nearly one per row.
    for start in range(0, len(rows), 1000):
        session.execute(insert(OperationSummaryRow.__table__), rows[start:start + 1000])
    for start in range(0, len(facets), 2000):
        session.execute(insert(OperationFacetRow.__table__), facets[start:start + 2000])


def summary_row(op: dict[str, Any], now) -> dict[str, Any]:
    place, when, counts, publicity = op["place"], op["date"], op["counts"], op["publicity"]
    published = sorted(s["published"] for s in op.get("sources", ()) if s.get("published"))
    reviewed = op.get("reviewed")
    from datetime import datetime

    return {
        "operation_id": op["id"],
        "name": op.get("name"),
        "country": place.get("country"),
        "admin1": place.get("admin1"),
        "locality": place.get("locality"),
        "latitude": op.get("latitude"),
        "longitude": op.get("longitude"),
        "date_start": when.get("start"),
        "date_end": when.get("end"),
        "date_precision": when.get("precision"),
        **{name: counts.get(name) for name in COUNT_NAMES},
        "press_conference": publicity.get("press_conference"),
        "names_or_photos_published": publicity.get("names_or_photos_published"),
        "immigration_involved": op.get("immigration_involved"),
        "agencies_json": json.dumps(op.get("agencies") or [], ensure_ascii=False),
        "tactics_json": json.dumps(op.get("tactics") or []),
        "venues_json": json.dumps(op.get("venues") or []),
        "disputed_json": json.dumps(op.get("disputed") or []),
        "sources": len(op.get("sources") or ()),
        "first_published": published[0] if published else None,
        "last_published": published[-1] if published else None,
        "reviewed_at": datetime.fromisoformat(reviewed["at"]) if reviewed else None,
        "reviewed_by": reviewed["by"] if reviewed else None,
        "updated_at": now,
    }


@dataclass(frozen=True)
class Filters:
    """What every list and figure can be narrowed by (the query string)."""

    country: str | None = None
    region: str | None = None
    agency: str | None = None
    tactic: str | None = None
    venue: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    reviewed: bool | None = None

    def active(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) not in (None, "")}

    def apply(self, query: Select, walk: bool = False) -> Select:
        """The filters as WHERE conditions. `walk`: facet filters as a
        correlated EXISTS, so a page read in index order stops after a page
        of matches (best when many operations match); otherwise as IN over
        the facet index (best when few do, and for counts and sums)."""
        conditions = []
        if self.country:
            conditions.append(S.country == self.country.upper())
        if self.region:
            conditions.append(func.lower(S.admin1) == self.region.lower())
        if self.date_from:
            conditions.append(S.date_start >= self.date_from.isoformat())
        if self.date_to:
            conditions.append(S.date_start <= self.date_to.isoformat())
        if self.reviewed is not None:
            conditions.append(S.reviewed_at.is_not(None) if self.reviewed else S.reviewed_at.is_(None))
        F = OperationFacetRow
        for kind, value in (("agency", self.agency), ("tactic", self.tactic), ("venue", self.venue)):
            if value and walk:
                conditions.append(
                    select(F.operation_id)
                    .where(F.operation_id == S.operation_id, F.kind == kind, F.value == value)
                    .exists()
                )
            elif value:
                conditions.append(S.operation_id.in_(select(F.operation_id).where(F.kind == kind, F.value == value)))
        return query.where(and_(*conditions)) if conditions else query


def row_dict(row: OperationSummaryRow) -> dict[str, Any]:
    """A summary row in the export's shape (gold-format nesting)."""
    return {
        "id": row.operation_id,
        "name": row.name,
        "agencies": json.loads(row.agencies_json),
        "place": {"country": row.country, "admin1": row.admin1, "locality": row.locality},
        "date": {"start": row.date_start, "end": row.date_end, "precision": row.date_precision},
        "tactics": json.loads(row.tactics_json),
        "venues": json.loads(row.venues_json),
        "counts": {name: getattr(row, name) for name in COUNT_NAMES},
        "publicity": {
            "press_conference": row.press_conference,
            "names_or_photos_published": row.names_or_photos_published,
        },
        "immigration_involved": row.immigration_involved,
        "latitude": row.latitude,
        "longitude": row.longitude,
        "disputed": json.loads(row.disputed_json),
        "sources_count": row.sources,
        "reviewed": {"at": row.reviewed_at.isoformat(), "by": row.reviewed_by} if row.reviewed_at else None,
    }


class _ResultCache:
    """Answers to aggregate queries (totals, timelines, counts, facet
    values), reused while the summaries are unchanged. Validity is checked
    on every use against the number of summary rows and their newest
    `updated_at` (an index read), so a write by any process, including
    `raidwatch ingest` running beside the server, is seen at once."""

    SIZE = 512

    def __init__(self) -> None:
        self.token: tuple | None = None
        self.entries: OrderedDict[tuple, Any] = OrderedDict()

    def get(self, session, key: tuple, compute):
        token = tuple(session.execute(select(func.count(), func.max(S.updated_at)).select_from(S)).one())
        if token != self.token:
            self.token, self.entries = token, OrderedDict()
        if key in self.entries:
            self.entries.move_to_end(key)
            return self.entries[key]
        value = compute()
        self.entries[key] = value
        if len(self.entries) > self.SIZE:
            self.entries.popitem(last=False)
        return value


class SummaryQueries:
    """Reads over the summaries for the web app and the API."""

    def __init__(self, store) -> None:
        self.store = store
        cache = getattr(store, "_summary_cache", None)
        if cache is None:
            cache = store._summary_cache = _ResultCache()
        self.cache = cache

    def list(self, filters: Filters, limit: int = 50, offset: int = 0, sort: str = "date",
             descending: bool = True) -> tuple[list[dict[str, Any]], int]:
        """A page of operations and the number matching the filters."""
        columns = SORTS[sort]
        order = [c.desc() if descending else c.asc() for c in columns]
        # Unknown last either way. SQLite sorts NULL lowest, so a descending
        # order already puts it last; leaving the IS NULL term out then lets
        # an index give the order (no sort of every matching row).
        if sort in ("date", "arrests") and not (descending and self.store.dialect == "sqlite"):
            order.insert(0, columns[0].is_(None))
        with self.store._read() as session:
            total = self.cache.get(session, ("count", filters), lambda: session.scalar(
                filters.apply(select(func.count()).select_from(S))) or 0)
            walk = total > WALK_ABOVE  # many matches: read in order, stop after the page
            rows = session.scalars(
                filters.apply(select(S), walk=walk).order_by(*order).limit(limit).offset(offset)
            ).all()
            return [row_dict(r) for r in rows], total

    def ids(self, filters: Filters) -> list[int]:
        """Every matching operation id, newest first (unknown dates last)."""
        with self.store._read() as session:
            return list(session.scalars(
                filters.apply(select(S.operation_id)).order_by(S.date_start.is_(None), S.date_start.desc(),
                                                               S.operation_id.desc())
            ))

    def totals(self, filters: Filters) -> dict[str, Any]:
        """Headline figures: operations, sums of every count, and how many
        operations state each count at all."""
        sums = [func.sum(getattr(S, name)) for name in COUNT_NAMES]
        stated = [func.count(getattr(S, name)) for name in COUNT_NAMES]
        flags = [
            func.sum(_true(S.press_conference)), func.sum(_true(S.names_or_photos_published)),
            func.sum(_true(S.immigration_involved)), func.count(S.reviewed_at),
        ]
        with self.store._read() as session:
            row = self.cache.get(session, ("totals", filters), lambda: tuple(session.execute(
                filters.apply(select(func.count(), *sums, *stated, *flags).select_from(S))).one()))
        n = len(COUNT_NAMES)
        return {
            "operations": row[0],
            "counts": {name: int(row[1 + i] or 0) for i, name in enumerate(COUNT_NAMES)},
            "operations_stating": {name: int(row[1 + n + i] or 0) for i, name in enumerate(COUNT_NAMES)},
            "press_conferences": int(row[1 + 2 * n] or 0),
            "names_or_photos_published": int(row[2 + 2 * n] or 0),
            "immigration_involved": int(row[3 + 2 * n] or 0),
            "reviewed": int(row[4 + 2 * n] or 0),
        }

    def timeline(self, filters: Filters) -> list[dict[str, Any]]:
        """Operations and arrests per month (of date_start)."""
        # Added up per day in SQL, where an index on (date_start,
        # arrested_total) gives the days in order without reading the rows,
        # then per month here.
        with self.store._read() as session:
            rows = self.cache.get(session, ("timeline", filters), lambda: session.execute(
                filters.apply(
                    select(S.date_start, func.count(), func.sum(S.arrested_total)).where(S.date_start.is_not(None))
                ).group_by(S.date_start).order_by(S.date_start)
            ).all())
        months: dict[str, list[int]] = {}
        for day, n, a in rows:
            month = months.setdefault(day[:7], [0, 0])
            month[0] += n
            month[1] += int(a or 0)
        return [{"month": m, "operations": n, "arrests": a} for m, (n, a) in sorted(months.items())]

    def facet_values(self, kind: str, filters: Filters | None = None, limit: int = 500) -> list[tuple[str, int]]:
        """The values of a facet ('agency', 'tactic', 'venue') or of a place
        column ('country', 'region') with their operation counts, commonest first."""
        with self.store._read() as session:
            if kind in ("country", "region"):
                column = S.country if kind == "country" else S.admin1
                query = select(column, func.count()).where(column.is_not(None)).group_by(column)
                if filters:
                    query = filters.apply(query)
            else:
                F = OperationFacetRow
                query = select(F.value, func.count()).where(F.kind == kind).group_by(F.value)
                if filters:
                    query = query.where(F.operation_id.in_(filters.apply(select(S.operation_id))))
            rows = self.cache.get(session, ("facets", kind, filters, limit), lambda: session.execute(
                query.order_by(func.count().desc(), column_or_value(kind)).limit(limit)).all())
        return [(value, count) for value, count in rows]

    def map_points(self, filters: Filters, limit: int = 5000) -> list[dict[str, Any]]:
        with self.store._read() as session:
            rows = session.execute(
                filters.apply(
                    select(S.operation_id, S.latitude, S.longitude, S.name, S.locality, S.date_start,
                           S.arrested_total)
                    .where(S.latitude.is_not(None), S.longitude.is_not(None))
                ).order_by(S.date_start.desc()).limit(limit)
            ).all()
        return [
            {"id": r[0], "lat": r[1], "lon": r[2], "name": r[3], "locality": r[4], "date": r[5], "arrests": r[6]}
            for r in rows
        ]


def column_or_value(kind: str):
    if kind == "country":
        return S.country
    if kind == "region":
        return S.admin1
    return OperationFacetRow.value


def _true(column):
    from sqlalchemy import case

    return case((column.is_(True), 1), else_=0)


__all__ = ["Filters", "SummaryQueries", "row_dict", "write_summaries"]
