#!/usr/bin/env python3
"""How fast is linking? (run on demand; see benchmarks/README.md)

    .venv/bin/python benchmarks/link_speed.py [--sizes 10000,30000,100000] [--seed S] [--json]

Generates reports of made-up operations and times `raidwatch.link.link()`
on them, from scratch, at each size (default 10k, 30k and 100k reports),
then once more incrementally: 1,000 new reports against the largest set
already linked. Also prints pairwise precision/recall/F1 against the
generator's truth, as a sanity check of the matching (not a quality figure:
real text is harder).

The stream: operations spread over 10 years and over places in the 68
regions of four countries (as many places as keep about one operation per
place per month: ~420 for 100k reports); each place has its own agencies, so the same agency runs an
operation there about once a month (the case linking must keep apart). An
operation gets 1-4 reports: the first report; syndicated copies (same text
with small edits, sometimes without the place); follow-ups 2-9 weeks later
with changed figures and sometimes no action date. Text fingerprints are
drawn, not computed: a story has a random MinHash signature and a copy keeps
each position with probability 0.85 (what MinHash gives for a Jaccard
similarity of 0.85), so generating 100k documents takes seconds; computing
real fingerprints costs ~1 ms per document at ingest and is not part of
linking.
"""
from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import sys
import time
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

try:  # run from a checkout without installing
    import raidwatch  # noqa: F401
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from raidwatch.link import LinkReport, link
from raidwatch.link.features import rules

TARGET_SECONDS_100K = 60.0
START = date(2016, 1, 1)
DAYS = 10 * 365

COUNTRIES = {
    "US": """Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Georgia Hawaii Idaho
             Illinois Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan Minnesota
             Mississippi Missouri Montana Nebraska Nevada New_Hampshire New_Jersey New_Mexico New_York
             North_Carolina North_Dakota Ohio Oklahoma Oregon Pennsylvania Rhode_Island South_Carolina South_Dakota
             Tennessee Texas Utah Vermont Virginia Washington West_Virginia Wisconsin Wyoming""".split(),
    "GB": ["England", "Scotland", "Wales", "Northern_Ireland"],
    "CA": "Ontario Quebec British_Columbia Alberta Manitoba Saskatchewan Nova_Scotia New_Brunswick".split(),
    "AU": "New_South_Wales Victoria Queensland Western_Australia South_Australia Tasmania".split(),
}
TACTICS = ["premises_raid", "online_sting", "street_sweep", "reverse_sting", "immigration_enforcement"]
VENUES = ["massage_business", "working_flat", "hotel_motel", "street", "online"]


class Places:
    """`count` localities, each with a local police agency and a regional one."""

    def __init__(self, rng: random.Random, count: int) -> None:
        self.items = []
        regions_total = sum(len(regions) for regions in COUNTRIES.values())
        for country, regions in COUNTRIES.items():
            for region in regions:
                for k in range(count // regions_total + 1):
                    locality = f"{region} Town {k}"
                    lat, lon = rng.uniform(-40, 60), rng.uniform(-120, 150)
                    local = f"{locality} Police Department"
                    regional = f"{region} State Police" if country == "US" else f"{region} Police"
                    self.items.append((country, region, locality, lat, lon, local, regional))


def _signature(rng: random.Random, size: int) -> bytes:
    return rng.getrandbits(32 * size).to_bytes(4 * size, "little")


def _copy_signature(rng: random.Random, base: bytes, keep: float) -> bytes:
    return b"".join(base[i:i + 4] if rng.random() < keep else rng.getrandbits(32).to_bytes(4, "little")
                    for i in range(0, len(base), 4))


def generate(n_reports: int, seed: int) -> tuple[list[LinkReport], dict[tuple, int]]:
    """n_reports reports and the true operation of each (by report ref)."""
    rng = random.Random(seed)
    # about one operation per place per month, as a busy city's vice unit
    places = Places(rng, max(70, n_reports // (2 * 120)))
    size = rules()["text"]["num_perm"]
    reports: list[LinkReport] = []
    truth: dict[tuple, int] = {}
    operation = 0
    doc = 0
    while len(reports) < n_reports:
        operation += 1
        country, region, locality, lat, lon, local, regional = rng.choice(places.items)
        day = START + timedelta(days=rng.randrange(DAYS))
        agencies = frozenset({local.casefold()} | ({regional.casefold()} if rng.random() < 0.4 else set()))
        name = f"operation {rng.choice(['spring', 'harbor', 'velvet', 'night', 'frost'])} {operation}" \
            if rng.random() < 0.2 else None
        tactics = frozenset(rng.sample(TACTICS, rng.randint(1, 2)))
        venues = frozenset(rng.sample(VENUES, 1))
        total = rng.randint(2, 120)
        story = _signature(rng, size)
        n = min(rng.choice([1, 1, 2, 2, 3, 4]), n_reports - len(reports))
        for k in range(n):
            doc += 1
            kind = "first" if k == 0 else rng.choice(["syndicated", "follow_up"])
            published = day + timedelta(days=rng.randint(0, 2))
            start, precision, counts = day, "day", (("arrested_total", total),)
            fingerprint = story
            place = (country.casefold(), region.casefold(), locality.casefold(), lat, lon)
            if kind == "syndicated":
                fingerprint = _copy_signature(rng, story, 0.85)
                if rng.random() < 0.3:
                    place = (country.casefold(), None, None, None, None)
            elif kind == "follow_up":
                published = day + timedelta(days=rng.randint(14, 63))
                fingerprint = _signature(rng, size)
                counts = (("arrested_total", max(1, total + rng.randint(-3, 3))),)
                if rng.random() < 0.4:
                    start, precision = None, None
            report = LinkReport(
                document=doc, index=0, published=published, name=name, agencies=agencies,
                country=place[0], admin1=place[1], locality=place[2], latitude=place[3], longitude=place[4],
                start=start, end=start, precision=precision, tactics=tactics, venues=venues, counts=counts,
                fingerprint=fingerprint,
            )
            reports.append(report)
            truth[report.ref] = operation
    rng.shuffle(reports)
    return reports, truth


def pairwise(assignments: dict[tuple, int], truth: dict[tuple, int]) -> dict[str, float]:
    def pairs(groups: dict[int, list]) -> set[tuple]:
        found = set()
        for members in groups.values():
            members = sorted(members)
            found.update((a, b) for i, a in enumerate(members) for b in members[i + 1:])
        return found

    predicted, true = defaultdict(list), defaultdict(list)
    for ref, op in assignments.items():
        predicted[op].append(ref)
        true[truth[ref]].append(ref)
    p, t = pairs(predicted), pairs(true)
    tp = len(p & t)
    precision = tp / len(p) if p else 1.0
    recall = tp / len(t) if t else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,30000,100000", help="comma-separated report counts")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    try:
        sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    except ValueError:
        parser.error("--sizes must be comma-separated integers, e.g. 10000,30000")
    if not sizes or min(sizes) < 1:
        parser.error("--sizes must be positive")

    figures = {"machine": platform.processor() or platform.machine(), "python": platform.python_version(),
               "runs": []}
    link(generate(50, args.seed)[0])  # warm-up: imports, rules
    largest = None
    for size in sizes:
        reports, truth = generate(size, args.seed)
        started = time.perf_counter()
        result = link(reports)
        seconds = time.perf_counter() - started
        run = {"reports": size, "seconds": round(seconds, 2), "reports_per_second": round(size / seconds),
               "operations": len(set(result.assignments.values())), **pairwise(result.assignments, truth)}
        figures["runs"].append(run)
        if not args.json:
            print(f"{size:>8} reports: {seconds:6.2f} s  ({run['reports_per_second']:,} reports/s), "
                  f"{run['operations']:,} operations; pairwise P {run['precision']:.3f} R {run['recall']:.3f} "
                  f"F1 {run['f1']:.3f}", flush=True)
        largest = (reports, result, truth)

    reports, result, truth = largest
    extra, extra_truth = generate(len(reports) + 1000, args.seed + 1)
    new = [replace(r, document=("new", r.document)) for r in extra[:1000]]
    placed = [replace(r, operation=result.assignments[r.ref]) for r in reports]
    started = time.perf_counter()
    link(placed + new)
    seconds = time.perf_counter() - started
    figures["incremental"] = {"existing": len(placed), "new": len(new), "seconds": round(seconds, 2)}
    figures["peak_memory_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    biggest = max(figures["runs"], key=lambda r: r["reports"])
    figures["target"] = {"reports": 100_000, "seconds": TARGET_SECONDS_100K,
                         "met": biggest["reports"] >= 100_000 and biggest["seconds"] < TARGET_SECONDS_100K}
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(f"incremental: {len(new):,} new reports against {len(placed):,} linked: {seconds:.2f} s")
        print(f"peak memory: {figures['peak_memory_mb']} MB")
        runs = figures["runs"]
        if len(runs) > 1:
            first, last = runs[0], runs[-1]
            ratio = (last["seconds"] / first["seconds"]) / (last["reports"] / first["reports"])
            print(f"growth: {last['reports'] / first['reports']:.0f}x the reports took "
                  f"{last['seconds'] / first['seconds']:.1f}x the time ({ratio:.2f} of linear)")
        if biggest["reports"] >= 100_000:
            verdict = "met" if figures["target"]["met"] else "NOT met"
            print(f"target: 100,000 reports in under {TARGET_SECONDS_100K:.0f} s: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
