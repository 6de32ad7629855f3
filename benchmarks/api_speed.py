#!/usr/bin/env python3
"""How fast does the JSON API answer on 100,000 operations? (run on demand; see benchmarks/README.md)

    .venv/bin/python benchmarks/api_speed.py [--operations N] [--requests N] [--rounds R] [--db PATH] [--json]

1. Fills a fresh SQLite database (a temporary directory, or `--db PATH` to
   keep it; an existing file that already holds operations is reused as it
   is) with N generated operations (default 100,000), inserted with
   SQLAlchemy Core bulk inserts (executemany) straight into the tables:
   documents, extraction_runs, operations, reports and claims. Then it builds
   the summaries the API reads with `Store.refresh_summaries()`, the same
   call a user pays for when rebuilding. Both steps are timed and printed;
   neither is part of the latency figures.
2. Starts the real server (`raidwatch serve --db PATH --port P --quiet`) as a
   subprocess on a free loopback port and waits until it answers.
3. Sends N requests (default 200, after a warm-up) to each endpoint below
   with httpx over one keep-alive connection, one request at a time, the
   endpoints taking turns (so a burst of other work on the machine hits all
   of them alike), and prints p50/p95/p99/mean latency per endpoint, the
   target line (p95 under 100 ms) and the server's peak memory (VmHWM).
   `--rounds R` repeats step 3 and prints the typical (median) and best round.

The stream: operations spread over ten years (2016-2025, more in later
years), over four countries (US 60%, GB 20%, CA 10%, AU 10%) and their 68
regions (a few big regions take most operations), over ~300 localities,
each with its own police agency, plus one agency per region and a few
national ones (~380 agencies; an operation names one to three). Tactics and
venues from the model's vocabularies with uneven weights (one or two each),
counts (arrests in 90% of operations, the rest less often), a name in 15%,
dates at day precision mostly (some month or year, 2% none), publicity flags,
immigration involvement, 3% of operations marked reviewed. An operation has
one to three reports (70/20/10%), one per document: a first report with every
field, then follow-ups that repeat the place (sometimes without the
locality), the date (or none) and the agencies, and change the arrest count
one time in three (so some fields are disputed). Every document is a small
text (~400 characters) the claims point into: each claim's evidence span is
the phrase it was read from, inside its sentence.

Filter values are drawn for each request from the generated data (countries
by their share, regions, agencies, tactics, venues, date windows of one month
to three years), so a repeated query does not flatter the figures.
"""
from __future__ import annotations

import argparse
import calendar
import json
import os
import platform
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

try:  # run from a checkout without installing
    import raidwatch  # noqa: F401
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

TARGET_P95_MS = 100.0
SLOW_SUMMARIES_S = 180.0
START = date(2016, 1, 1)
DAYS = 3652  # ten years
LOCALITIES = 300
BATCH = 2000  # operations generated and inserted at a time

# ---------------------------------------------------------------------------
# Vocabulary of the generator (invented places; real kinds of agencies)
# ---------------------------------------------------------------------------

COUNTRY_SHARE = {"US": 0.6, "GB": 0.2, "CA": 0.1, "AU": 0.1}
REGIONS = {
    "US": """Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|
             Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|
             Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|
             North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|
             South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming""",
    "GB": "England|Scotland|Wales|Northern Ireland",
    "CA": "Ontario|Quebec|British Columbia|Alberta|Manitoba|Saskatchewan|Nova Scotia|New Brunswick",
    "AU": "New South Wales|Victoria|Queensland|Western Australia|South Australia|Tasmania",
}
REGIONS = {c: [r.strip() for r in names.split("|")] for c, names in REGIONS.items()}
NATIONAL = {
    "US": ["Federal Bureau of Investigation", "Homeland Security Investigations", "United States Marshals Service"],
    "GB": ["National Crime Agency", "Home Office Immigration Enforcement"],
    "CA": ["Royal Canadian Mounted Police", "Canada Border Services Agency"],
    "AU": ["Australian Federal Police", "Australian Border Force"],
}
IMMIGRATION_AGENCIES = {"Homeland Security Investigations", "Home Office Immigration Enforcement",
                        "Canada Border Services Agency", "Australian Border Force"}
PREFIX = ["Spring", "River", "Oak", "Maple", "Cedar", "Lake", "Fair", "Green", "Clear", "Rock", "Pine", "Elm",
          "Mill", "Bridge", "Ash", "Bay", "Stone", "Glen", "Red", "Silver", "Kings", "Port", "Wood", "Marsh"]
SUFFIX = ["field", "side", "dale", "ton", "view", "wood", "port", "ford", "ville", "burg", "haven", "brook",
          "mont", "crest", "bury", "ham"]
TACTIC_WEIGHTS = {"premises_raid": 30, "online_sting": 25, "street_sweep": 15, "reverse_sting": 10,
                  "code_enforcement": 5, "immigration_enforcement": 5, "closure_order": 4, "eviction_pressure": 2,
                  "investigation": 4}
VENUE_WEIGHTS = {"massage_business": 30, "working_flat": 10, "brothel": 10, "hotel_motel": 20, "residence": 8,
                 "street": 12, "online": 6, "club": 2, "other": 2}
TACTIC_WORDS = {"premises_raid": "raided", "online_sting": "ran an online sting", "street_sweep": "swept the streets",
                "reverse_sting": "ran a reverse sting", "code_enforcement": "inspected businesses",
                "immigration_enforcement": "checked immigration status", "closure_order": "sought closure orders",
                "eviction_pressure": "pressed landlords to evict", "investigation": "investigated"}
VENUE_WORDS = {"massage_business": "massage parlours", "working_flat": "flats", "brothel": "brothels",
               "hotel_motel": "hotel rooms", "residence": "homes", "street": "street corners", "online": "online ads",
               "club": "clubs", "other": "other premises"}
WORDS = ["Velvet", "Harbor", "Lantern", "Tide", "Glass", "Kite", "Spring", "Gate", "Moon", "Storm", "Light",
         "Ridge", "Frost", "Anchor", "Falcon", "Cross", "Summit", "Shield", "Compass", "Horizon"]


@dataclass(frozen=True)
class Place:
    country: str
    region: str
    locality: str
    lat: float
    lon: float
    local: str  # the locality's own agency
    regional: str


def places(rng: random.Random) -> tuple[dict[str, list[tuple[str, float]]], dict[tuple[str, str], list[Place]]]:
    """Region weights per country (a few big regions) and the localities of each region."""
    weights: dict[str, list[tuple[str, float]]] = {}
    for country, regions in REGIONS.items():
        order = regions[:]
        rng.shuffle(order)
        weights[country] = [(region, 1 / (rank + 1) ** 0.9) for rank, region in enumerate(order)]
    total = sum(COUNTRY_SHARE[c] * w / sum(x for _, x in weights[c]) for c in weights for _, w in weights[c])
    localities: dict[tuple[str, str], list[Place]] = {}
    used: set[str] = set()
    for country, regions in weights.items():
        norm = sum(w for _, w in regions)
        for region, w in regions:
            n = max(1, round(LOCALITIES * COUNTRY_SHARE[country] * w / norm / total))
            items = []
            for _ in range(n):
                while True:
                    name = rng.choice(PREFIX) + rng.choice(SUFFIX)
                    if (name, region) not in used:
                        used.add((name, region))
                        break
                local = {"US": rng.choice([f"{name} Police Department", f"{name} County Sheriff's Office"]),
                         "GB": f"{name} Constabulary", "CA": f"{name} Police Service",
                         "AU": f"{name} Police District"}[country]
                regional = {"US": f"{region} State Police", "GB": f"{region} Police",
                            "CA": f"{region} Provincial Police", "AU": f"{region} Police Force"}[country]
                items.append(Place(country, region, name, round(rng.uniform(-40, 60), 4),
                                   round(rng.uniform(-120, 150), 4), local, regional))
            localities[(country, region)] = items
    return weights, localities


class Text:
    """A small document text built sentence by sentence, remembering where
    each phrase is (the claims' evidence spans)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.spans: dict[str, tuple[int, int, int, int]] = {}

    def sentence(self, *pieces: str | tuple[str, str]) -> None:
        start = self.length
        marks = []
        for piece in pieces:
            if isinstance(piece, tuple):
                key, piece = piece
                marks.append((key, self.length, self.length + len(piece)))
            self.parts.append(piece)
            self.length += len(piece)
        for key, a, b in marks:
            self.spans[key] = (a, b, start, self.length)
        self.parts.append(" ")
        self.length += 1

    def text(self) -> str:
        return "".join(self.parts).strip()


def _month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


class Generator:
    """Operations, their documents, reports and claims, as table rows."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.region_weights, self.localities = places(self.rng)
        self.countries = list(COUNTRY_SHARE)
        self.tactics, self.tactic_w = list(TACTIC_WEIGHTS), list(TACTIC_WEIGHTS.values())
        self.venues, self.venue_w = list(VENUE_WEIGHTS), list(VENUE_WEIGHTS.values())
        self.doc_id = 0
        self.op_id = 0

    def operation(self) -> dict[str, Any]:
        rng = self.rng
        country = rng.choices(self.countries, weights=list(COUNTRY_SHARE.values()))[0]
        regions = self.region_weights[country]
        region = rng.choices([r for r, _ in regions], weights=[w for _, w in regions])[0]
        place = rng.choice(self.localities[(country, region)])
        agencies = [place.local] if rng.random() < 0.9 else [place.regional]
        if rng.random() < 0.3 and place.regional not in agencies:
            agencies.append(place.regional)
        if rng.random() < 0.1:
            agencies.append(rng.choice(NATIONAL[country]))
        tactics = list(dict.fromkeys(rng.choices(self.tactics, self.tactic_w, k=1 if rng.random() < 0.7 else 2)))
        venues = list(dict.fromkeys(rng.choices(self.venues, self.venue_w, k=1 if rng.random() < 0.85 else 2)))
        when = None
        if rng.random() >= 0.02:
            day = START + timedelta(days=int(rng.random() ** 0.8 * DAYS))
            r = rng.random()
            if r < 0.8:
                when = (day, day + timedelta(days=rng.choice([0, 0, 0, 1, 2, 3])), "day")
            elif r < 0.95:
                when = (day.replace(day=1), _month_end(day), "month")
            else:
                when = (date(day.year, 1, 1), date(day.year, 12, 31), "year")
        total = max(1, int(rng.lognormvariate(2.3, 0.9))) if rng.random() < 0.9 else None
        counts: dict[str, int] = {}
        if total is not None:
            counts["arrested_total"] = total
            if rng.random() < 0.5:
                buyers = rng.randint(0, total)
                counts["arrested_buyers"] = buyers
                counts["arrested_sex_workers"] = total - buyers
        for name, p, hi in (("charged_trafficking", 0.3, 4), ("potential_victims", 0.4, 12),
                            ("minors_identified", 0.1, 3), ("immigration_detained", 0.1, 15),
                            ("premises_closed", 0.15, 6), ("detained_not_arrested", 0.05, 10)):
            if rng.random() < p:
                counts[name] = rng.randint(0, hi)
        immigration = ("immigration_enforcement" in tactics or "immigration_detained" in counts
                       or any(a in IMMIGRATION_AGENCIES for a in agencies))
        self.op_id += 1
        return {
            "id": self.op_id, "place": place, "agencies": agencies, "tactics": tactics, "venues": venues,
            "when": when, "counts": counts,
            "name": f"Operation {rng.choice(WORDS)} {rng.choice(WORDS)}" if rng.random() < 0.15 else None,
            "press": rng.random() < 0.3, "names_published": rng.random() < 0.2, "immigration": immigration,
            "reviewed": rng.random() < 0.03,
            "reports": rng.choices([1, 2, 3], weights=[70, 20, 10])[0],
        }

    def report(self, op: dict[str, Any], k: int) -> tuple[str, str, list[tuple[str, Any, str]], dict[str, tuple]]:
        """(text, published, claims as (field, value, span key), spans) of the op's k-th report."""
        rng = self.rng
        place, when, counts = op["place"], op["when"], dict(op["counts"])
        with_locality = k == 0 or rng.random() < 0.7
        if k > 0 and when is not None and rng.random() < 0.3:
            when = None  # a follow-up that gives no action date
        if k > 0 and "arrested_total" in counts and rng.random() < 0.33:
            counts["arrested_total"] = max(1, counts["arrested_total"] + rng.randint(-3, 5))
        anchor = op["when"][0] if op["when"] else START + timedelta(days=op["id"] % DAYS)
        published = anchor + timedelta(days=rng.randint(0, 3) if k == 0 else rng.randint(7, 60))
        agencies = op["agencies"] if k == 0 else op["agencies"][:1 + rng.randrange(len(op["agencies"]))]

        t = Text()
        where = f"{place.locality}, {place.region}" if with_locality else place.region
        first = [("agency0", agencies[0])]
        for i, agency in enumerate(agencies[1:], 1):
            first += [" and " if i == len(agencies) - 1 else ", ", (f"agency{i}", agency)]
        total = counts.get("arrested_total")
        first += [" arrested ", ("arrested_total", str(total)), " people"] if total is not None else [" acted"]
        first += [" in ", ("place", where)]
        if when:
            first += [" on ", ("date", when[0].strftime("%d %B %Y") if when[2] == "day" else
                                when[0].strftime("%B %Y") if when[2] == "month" else str(when[0].year))]
        t.sentence(*first, ".")
        second = ["The operation"]
        if op["name"]:
            second += [", ", ("name", op["name"]), ","]
        second += [" ", ("tactics", " and ".join(TACTIC_WORDS[x] for x in op["tactics"])), " at ",
                   ("venues", " and ".join(VENUE_WORDS[x] for x in op["venues"])), "."]
        t.sentence(*second)
        others = [(name, value) for name, value in counts.items() if name != "arrested_total"]
        if others:
            pieces: list[Any] = ["Police also reported "]
            for i, (name, value) in enumerate(others):
                pieces += [", " if i else "", (name, str(value)), " " + name.replace("_", " ")]
            t.sentence(*pieces, ".")
        flags = []
        if op["press"]:
            flags += [("press", "at a press conference")]
        if op["names_published"]:
            flags += [" and " if flags else "", ("names", "published the names")]
        if flags:
            t.sentence("Officials spoke ", *flags, ".")
        t.sentence(("immigration", "Immigration officers took part." if op["immigration"]
                    else "No immigration officers were involved."))
        t.sentence(f"Reference {op['id']}-{k}.")

        claims: list[tuple[str, Any, str]] = []
        if op["name"] and k == 0:
            claims.append(("name", op["name"], "name"))
        claims += [("agencies", a, f"agency{i}") for i, a in enumerate(agencies)]
        claims += [("place.country", place.country, "place"), ("place.admin1", place.region, "place")]
        if with_locality:
            claims += [("place.locality", place.locality, "place"), ("place.latitude", place.lat, "place"),
                       ("place.longitude", place.lon, "place")]
        if when:
            claims += [("date.start", when[0].isoformat(), "date"), ("date.end", when[1].isoformat(), "date"),
                       ("date.precision", when[2], "date")]
        claims += [("tactics", x, "tactics") for x in op["tactics"]]
        claims += [("venues", x, "venues") for x in op["venues"]]
        claims += [(f"counts.{name}", value, name) for name, value in counts.items()]
        if op["press"]:
            claims.append(("publicity.press_conference", True, "press"))
        if op["names_published"]:
            claims.append(("publicity.names_or_photos_published", True, "names"))
        claims.append(("immigration_involved", op["immigration"], "immigration"))
        return t.text(), published.isoformat(), claims, t.spans

    def rows(self, n_operations: int, now) -> dict[str, list[dict[str, Any]]]:
        """Table rows for the next n operations."""
        from raidwatch.model import content_hash

        out: dict[str, list[dict[str, Any]]] = {
            "documents": [], "extraction_runs": [], "operations": [], "reports": [], "claims": []}
        for _ in range(n_operations):
            op = self.operation()
            first_doc = self.doc_id + 1
            out["operations"].append({
                "id": op["id"], "created_at": now, "updated_at": now, "anchor_document_id": first_doc,
                "anchor_report_index": 0, "merged_into": None,
                "reviewed_at": now if op["reviewed"] else None, "reviewed_by": "bench" if op["reviewed"] else None,
            })
            for k in range(op["reports"]):
                self.doc_id += 1
                doc = self.doc_id
                text, published, claims, spans = self.report(op, k)
                out["documents"].append({
                    "id": doc, "content_hash": content_hash(text), "source_id": f"bench-{doc}",
                    "title": f"{op['place'].locality}: {text[:60]}", "url": f"https://news.example/{doc}",
                    "published": published, "language": "en", "source_path": None, "text": text,
                    "ingested_at": now, "fingerprint": None, "irrelevant_at": None, "irrelevant_by": None,
                })
                out["extraction_runs"].append({
                    "id": doc, "document_id": doc, "extractor_version": "bench-1", "started_at": now,
                    "relevant": True, "score": 0.9, "is_current": True, "notes": None,
                })
                out["reports"].append({
                    "id": doc, "run_id": doc, "document_id": doc, "report_index": 0, "operation_id": op["id"],
                    "link_score": None if k == 0 else 0.9,
                    "link_note": None if k == 0 else json.dumps(["same agency", "same place"]),
                })
                for field, value, key in claims:
                    a, b, s0, s1 = spans[key]
                    out["claims"].append({
                        "report_id": doc, "document_id": doc, "field": field, "value_json": json.dumps(value),
                        "span_start": a, "span_end": b, "sentence_start": s0, "sentence_end": s1,
                        "rule": f"bench.{field}", "note": None, "author": None, "created_at": now,
                    })
        return out


# ---------------------------------------------------------------------------
# Step 1: the database
# ---------------------------------------------------------------------------

def fill(store, n_operations: int, seed: int, progress: Callable[[str], None]) -> dict[str, Any]:
    """Insert n operations with their documents, runs, reports and claims
    (one transaction, Core executemany); return counts and seconds."""
    from sqlalchemy import insert

    from raidwatch.store.engine import writer
    from raidwatch.store.schema import Base, utcnow

    tables = Base.metadata.tables
    gen = Generator(seed)
    now = utcnow()
    counts = dict.fromkeys(("documents", "extraction_runs", "operations", "reports", "claims"), 0)
    started, cpu = time.perf_counter(), time.process_time()
    with writer(store.engine).begin() as conn:
        done = 0
        while done < n_operations:
            batch = min(BATCH, n_operations - done)
            rows = gen.rows(batch, now)
            for name in counts:  # parents first
                if rows[name]:
                    conn.execute(insert(tables[name]), rows[name])
                    counts[name] += len(rows[name])
            done += batch
            if done % 20_000 == 0 or done == n_operations:
                progress(f"  filled {done:,} operations ({time.perf_counter() - started:.0f} s)")
    return {"seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu, "rows": counts}


def prepare(db: Path, n_operations: int, seed: int, quiet: bool, profile: int) -> dict[str, Any]:
    from raidwatch.store import Store

    def progress(line: str) -> None:
        if not quiet:
            print(line, file=sys.stderr, flush=True)

    figures: dict[str, Any] = {"path": str(db)}
    with Store.open(str(db)) as store:
        existing = store.stats()
        if existing["operations"]:
            progress(f"reusing {db}: {existing['operations']:,} operations")
            figures.update(reused=True, fill_seconds=None, summaries_seconds=None)
        else:
            progress(f"filling {db} with {n_operations:,} operations ...")
            filled = fill(store, n_operations, seed, progress)
            figures.update(reused=False, fill_seconds=filled["seconds"], fill_cpu_seconds=filled["cpu_seconds"])
            progress("building the summaries (Store.refresh_summaries) ...")
            profiler = None
            if profile:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            started, cpu = time.perf_counter(), time.process_time()
            store.refresh_summaries()
            figures["summaries_seconds"] = time.perf_counter() - started
            figures["summaries_cpu_seconds"] = time.process_time() - cpu
            figures["summaries_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            if profiler:
                import io
                import pstats

                profiler.disable()
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(profile)
                figures["summaries_profile"] = out.getvalue()
            progress(f"  summaries built in {figures['summaries_seconds']:.1f} s")
        figures["rows"] = store.stats()
        figures["values"] = filter_values(store)
    figures["size_mb"] = sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 1e6
    return figures


def filter_values(store) -> dict[str, Any]:
    """What requests draw their filters from: the stored countries, regions,
    agencies, tactics and venues (with their operation counts) and dates."""
    queries = store.summaries()
    values = {kind: queries.facet_values(kind, limit=100_000)
              for kind in ("country", "region", "agency", "tactic", "venue")}
    values["region_of"] = {}
    from sqlalchemy import func, select

    from raidwatch.store.schema import OperationSummaryRow as S

    with store._read() as session:
        for country, region in session.execute(select(S.country, S.admin1).distinct()):
            if country and region:
                values["region_of"].setdefault(country, []).append(region)
        first, last = session.execute(select(func.min(S.date_start), func.max(S.date_start))).one()
    values["dates"] = (first, last)
    return values


# ---------------------------------------------------------------------------
# Step 2: the server
# ---------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int) -> subprocess.Popen:
    script = Path(sys.executable).with_name("raidwatch")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "raidwatch.cli"]
    return subprocess.Popen(command + ["serve", "--db", str(db), "--port", str(port), "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_until_up(client, server: subprocess.Popen, timeout: float = 120.0) -> float:
    import httpx

    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped (exit {server.returncode}): {server.stderr.read()}")
        try:
            if client.get("/api/v1/openapi.json").status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"the server did not answer within {timeout:.0f} s")


def proc_status(pid: int) -> dict[str, float]:
    """VmHWM (peak resident memory) and VmRSS of a process, in MB (Linux)."""
    found = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("VmHWM", "VmRSS"):
                    found[key] = int(rest.split()[0]) / 1024
    except OSError:
        pass
    return found


# ---------------------------------------------------------------------------
# Step 3: the requests
# ---------------------------------------------------------------------------

class Draw:
    """Filter values drawn from the stored data."""

    def __init__(self, values: dict[str, Any], seed: int) -> None:
        self.rng = random.Random(seed)
        self.values = values
        self.first = date.fromisoformat(values["dates"][0])
        self.last = date.fromisoformat(values["dates"][1])

    def country(self) -> str:  # by share of operations, as users would look
        items = self.values["country"]
        return self.rng.choices([v for v, _ in items], weights=[n for _, n in items])[0]

    def region(self) -> str:  # any region, big or small
        return self.rng.choice(self.values["region"])[0]

    def agency(self) -> str:
        return self.rng.choice(self.values["agency"])[0]

    def tactic(self) -> str:
        return self.rng.choice(self.values["tactic"])[0]

    def venue(self) -> str:
        return self.rng.choice(self.values["venue"])[0]

    def window(self, shortest: int, longest: int) -> dict[str, str]:
        length = self.rng.randint(shortest, longest)
        span = max(1, (self.last - self.first).days - length)
        start = self.first + timedelta(days=self.rng.randrange(span))
        return {"from": start.isoformat(), "to": (start + timedelta(days=length)).isoformat()}


def endpoints(draw: Draw) -> list[tuple[str, str, Callable[[], dict[str, Any]]]]:
    """(label, path, parameters for the next request)."""
    ops, rng = "/api/v1/operations", draw.rng
    return [
        ("list", ops, lambda: {"limit": 50}),
        ("list, deep page (offset ~50,000)", ops, lambda: {"limit": 50, "offset": 50_000 + 50 * rng.randrange(20)}),
        ("list, sorted by arrests", ops, lambda: {"limit": 50, "sort": "arrests"}),
        ("list, country", ops, lambda: {"limit": 50, "country": draw.country()}),
        ("list, region", ops, lambda: {"limit": 50, "region": draw.region()}),
        ("list, agency", ops, lambda: {"limit": 50, "agency": draw.agency()}),
        ("list, tactic", ops, lambda: {"limit": 50, "tactic": draw.tactic()}),
        ("list, date range (1-12 months)", ops, lambda: {"limit": 50, **draw.window(30, 365)}),
        ("list, country+tactic+venue+dates", ops,
         lambda: {"limit": 50, "country": draw.country(), "tactic": draw.tactic(), "venue": draw.venue(),
                  **draw.window(365, 3 * 365)}),
        ("summary", "/api/v1/summary", dict),
        ("summary, region+dates", "/api/v1/summary", lambda: {"region": draw.region(), **draw.window(365, 3 * 365)}),
        ("summary, agency", "/api/v1/summary", lambda: {"agency": draw.agency()}),
        ("timeline", "/api/v1/timeline", dict),
        ("timeline, country", "/api/v1/timeline", lambda: {"country": draw.country()}),
    ]


def percentile(sorted_values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if len(sorted_values) == 1:
        return sorted_values[0]
    pos = (len(sorted_values) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def measure(client, plan, n_requests: int, warmup: int) -> list[dict[str, Any]]:
    """Warm up, then N rounds of one request per endpoint (endpoints take turns)."""
    for _ in range(warmup):
        for _, path, params in plan:
            client.get(path, params=params())
    times: list[list[float]] = [[] for _ in plan]
    errors = [0] * len(plan)
    sizes = [0] * len(plan)
    examples: list[str] = [""] * len(plan)
    for _ in range(n_requests):
        for i, (_, path, params) in enumerate(plan):
            p = params()
            started = time.perf_counter()
            response = client.get(path, params=p)
            body = response.content
            times[i].append((time.perf_counter() - started) * 1000)
            sizes[i] += len(body)
            if response.status_code != 200:
                errors[i] += 1
            if not examples[i]:
                examples[i] = f"{path}?{response.request.url.query.decode()}".rstrip("?")
    results = []
    for i, (label, path, _) in enumerate(plan):
        ms = sorted(times[i])
        results.append({
            "endpoint": label, "example": examples[i], "requests": len(ms), "errors": errors[i],
            "p50_ms": percentile(ms, 0.50), "p95_ms": percentile(ms, 0.95), "p99_ms": percentile(ms, 0.99),
            "mean_ms": statistics.fmean(ms), "max_ms": ms[-1], "mean_kb": sizes[i] / len(ms) / 1024,
        })
    return results


def combine(rounds: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Per endpoint: the median over rounds of each figure (typical), the best and worst p95."""
    out = []
    for i, first in enumerate(rounds[0]):
        runs = [r[i] for r in rounds]
        row = {k: first[k] for k in ("endpoint", "example", "requests")}
        row["errors"] = sum(r["errors"] for r in runs)
        for key in ("p50_ms", "p95_ms", "p99_ms", "mean_ms", "max_ms", "mean_kb"):
            row[key] = statistics.median(r[key] for r in runs)
        row["p95_best_ms"] = min(r["p95_ms"] for r in runs)
        row["p95_worst_ms"] = max(r["p95_ms"] for r in runs)
        row["p95_rounds_ms"] = [round(r["p95_ms"], 1) for r in runs]
        row["met"] = row["p95_ms"] < TARGET_P95_MS
        out.append(row)
    return out


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

def table(f: dict[str, Any]) -> str:
    m, d = f["machine"], f["database"]
    rows = d["rows"]
    lines = [
        f"raidwatch API benchmark: {rows['operations']:,} operations, {rows['documents']:,} documents, "
        f"{rows['claims']:,} claims; SQLite {d['sqlite']}, {d['size_mb']:.0f} MB",
        f"machine: {m['cpus']} CPUs (affinity {m['cpu_affinity']}), load average {m['load_average']}, "
        f"Python {m['python']}, {m['platform']}",
    ]
    if d["reused"]:
        lines.append(f"database reused from {d['path']} (not filled, summaries not rebuilt)")
    else:
        lines.append(f"fill (Core executemany, one transaction): {d['fill_seconds']:.1f} s "
                     f"({d['fill_cpu_seconds']:.1f} s CPU)")
        lines.append(f"summaries (Store.refresh_summaries()): {d['summaries_seconds']:.1f} s "
                     f"({d['summaries_cpu_seconds']:.1f} s CPU), benchmark process peak "
                     f"{d['summaries_peak_mb']:.0f} MB"
                     + ("  <-- over 3 minutes" if d["summaries_seconds"] > SLOW_SUMMARIES_S else ""))
    s = f["server"]
    lines.append(f"server: raidwatch serve (uvicorn, one process), up in {s['startup_seconds']:.1f} s; "
                 f"{f['requests']} requests per endpoint per round after {f['warmup']} warm-up, "
                 f"{f['rounds']} round(s), one keep-alive connection, endpoints taking turns")
    lines.append("")
    rounds = f["rounds"] > 1
    width = max(len(r["endpoint"]) for r in f["endpoints"])
    head = f"{'endpoint':<{width}}  {'p50':>7}  {'p95':>7}  {'p99':>7}  {'mean':>7}  {'max':>7}  {'KB':>6}"
    if rounds:
        head += f"  {'p95 best':>8}  {'p95 worst':>9}"
    head += "  p95<100ms"
    lines += [head + ("   (ms; median of the rounds)" if rounds else "   (ms)"), "-" * len(head)]
    for r in f["endpoints"]:
        line = (f"{r['endpoint']:<{width}}  {r['p50_ms']:7.1f}  {r['p95_ms']:7.1f}  {r['p99_ms']:7.1f}  "
                f"{r['mean_ms']:7.1f}  {r['max_ms']:7.1f}  {r['mean_kb']:6.1f}")
        if rounds:
            line += f"  {r['p95_best_ms']:8.1f}  {r['p95_worst_ms']:9.1f}"
        line += "  " + ("yes" if r["met"] else "NO") + (f"  ({r['errors']} errors)" if r["errors"] else "")
        lines.append(line)
    lines.append("")
    for r in f["endpoints"]:
        lines.append(f"p95 under {TARGET_P95_MS:.0f} ms on SQLite: {'met' if r['met'] else 'NOT met'} "
                     f"({r['endpoint']}, p95 {r['p95_ms']:.1f} ms)")
    peak = s.get("peak_mb")
    lines.append("")
    lines.append(f"server peak memory (VmHWM): {peak:.0f} MB" if peak is not None
                 else "server peak memory: not readable (no /proc)")
    return "\n".join(lines)


def run(args) -> dict[str, Any]:
    import sqlite3

    import httpx

    tmp = None
    if args.db:
        db = Path(args.db).expanduser().resolve()
    else:
        tmp = tempfile.TemporaryDirectory(prefix="raidwatch-api-bench-")
        db = Path(tmp.name) / "bench.sqlite"
    figures: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "cpu_affinity": sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
            "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
            "python": platform.python_version(), "platform": platform.platform(),
        },
        "requests": args.requests, "warmup": args.warmup, "rounds": args.rounds, "seed": args.seed,
    }
    try:
        database = prepare(db, args.operations, args.seed, args.json, args.profile_summaries)
        values = database.pop("values")
        database["sqlite"] = sqlite3.sqlite_version
        figures["database"] = database
        port = free_port()
        server = start_server(db, port)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60.0) as client:
                startup = wait_until_up(client, server)
                plan = endpoints(Draw(values, args.seed))
                rounds = []
                for k in range(args.rounds):
                    if not args.json:
                        print(f"round {k + 1}/{args.rounds} ...", file=sys.stderr, flush=True)
                    rounds.append(measure(client, plan, args.requests, args.warmup if k == 0 else 0))
            figures["server"] = {"startup_seconds": startup, "port": port,
                                 **{("peak_mb" if k == "VmHWM" else "rss_mb"): v
                                    for k, v in proc_status(server.pid).items()}}
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        figures["endpoints"] = combine(rounds)
        figures["rounds_detail"] = rounds
        figures["all_met"] = all(r["met"] for r in figures["endpoints"])
    finally:
        if tmp is not None:
            tmp.cleanup()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--operations", type=int, default=100_000, help="operations to generate (default 100000)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per endpoint (default 200)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests per endpoint first (default 10)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="repeat the measurement R times; the table shows the median and best round")
    parser.add_argument("--seed", type=int, default=1, help="seed of the data and of the filter draws (default 1)")
    parser.add_argument("--db", help="SQLite file to fill and keep (reused as it is if it holds operations)")
    parser.add_argument("--profile-summaries", type=int, default=0, metavar="K",
                        help="cProfile Store.refresh_summaries() and print its K costliest calls (cumulative)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")
    args = parser.parse_args(argv)
    if args.operations < 1 or args.requests < 1 or args.rounds < 1 or args.warmup < 0:
        parser.error("--operations, --requests and --rounds must be at least 1, --warmup at least 0")
    figures = run(args)
    profile_text = figures["database"].pop("summaries_profile", None)
    if args.json:
        if profile_text:
            figures["database"]["summaries_profile"] = profile_text
        print(json.dumps(figures, indent=2))
    else:
        print(table(figures))
        if profile_text:
            print("\nStore.refresh_summaries() profile (cProfile, cumulative):\n" + profile_text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
