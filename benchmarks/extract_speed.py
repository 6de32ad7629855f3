#!/usr/bin/env python3
"""How fast is raidwatch on a news crawl? (run on demand; see benchmarks/README.md)

    .venv/bin/python benchmarks/extract_speed.py [--pages N] [--seed S] [--repeat R] [--json] [--cpu C] [--profile K]

Generates a deterministic stream of news-like HTML pages (30-80 KB each: head,
styles, scripts, navigation, trending links and footer around an article built
from this file's own sentence templates). About 1% are raid stories (agencies,
counts, dates, operation names, quotes); 0.5% are "confusable" pages about sex
work without a raid (policy, opinion, court, awareness events); the rest is
everyday news. Every page is made in memory and dropped after the prefilter,
so memory reflects the pipeline, not the stream. Then it measures, on the one
core this single-threaded process runs on:

  (a) prefilter: `needs_processing(raw bytes)` over every page, MB/s and pages/s;
  (b) full extraction of the pages the prefilter passed: HTML -> Document with
      the ingest stage's own functions (`decode_html` + `parse_html`, i.e.
      trafilatura), then `raidwatch.extract.extract(doc)`; reported per stage
      and combined, over all passed pages and over the relevant ones;
  (c) peak memory (ru_maxrss) of the whole run.

Warm-up (building the automata, importing trafilatura, loading lexicons and
the gazetteer) runs once before timing and is reported on its own.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import random
import resource
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape
from pathlib import Path

try:  # run from a checkout without installing
    import raidwatch  # noqa: F401
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

TARGET_PREFILTER_MBPS = 50.0
TARGET_RELEVANT_DOCS_PER_S = 200.0
TARGET_PEAK_MB = 500.0
RELEVANT_RATE = 0.01
CONFUSABLE_RATE = 0.005
PAGE_KB = (30, 80)

# ---------------------------------------------------------------------------
# Vocabulary for the generator (all invented; real kinds of agencies/places)
# ---------------------------------------------------------------------------

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten",
                11: "eleven", 12: "twelve"}
FIRST = ["Maria", "James", "Linda", "Robert", "Aisha", "David", "Chen", "Sarah", "Michael", "Priya", "Thomas", "Grace",
         "Daniel", "Fatima", "Kevin", "Laura", "Owen", "Nadia", "Peter", "Rosa"]
LAST = ["Alvarez", "Brennan", "Okafor", "Whitfield", "Nguyen", "Harlow", "Castillo", "Murray", "Patel", "Lindqvist",
        "Fairbairn", "Delgado", "Kowalski", "Ashworth", "Mbeki", "Sorensen", "Quinlan", "Tremblay", "Ferreira", "Haddad",
        "Johnson", "Johnston"]
US_PLACES = [("Tampa", "Florida", "Hillsborough County"), ("Orlando", "Florida", "Orange County"),
             ("Houston", "Texas", "Harris County"), ("Phoenix", "Arizona", "Maricopa County"),
             ("Fresno", "California", "Fresno County"), ("Columbus", "Ohio", "Franklin County"),
             ("Nashville", "Tennessee", "Davidson County"), ("Atlanta", "Georgia", "Fulton County"),
             ("Spokane", "Washington", "Spokane County"), ("Omaha", "Nebraska", "Douglas County")]
UK_PLACES = [("Bolton", "Greater Manchester Police"), ("Leeds", "West Yorkshire Police"),
             ("Cardiff", "South Wales Police"), ("Birmingham", "West Midlands Police"),
             ("Bristol", "Avon and Somerset Police"), ("Nottingham", "Nottinghamshire Police")]
CA_PLACES = [("Toronto", "Toronto Police Service"), ("Ottawa", "Ottawa Police Service"),
             ("Winnipeg", "Winnipeg Police Service"), ("Calgary", "Calgary Police Service")]
AU_PLACES = [("Fairfield", "NSW Police Force"), ("Parramatta", "NSW Police Force"),
             ("Southport", "Queensland Police Service")]
OP_NAMES = ["Velvet Curtain", "Night Harbor", "Blue Lantern", "Silent Tide", "Glass Door", "Red Kite", "Cold Spring",
            "Iron Gate", "Paper Moon", "Quiet Storm", "Harbor Light", "Falcon Ridge"]
TEAMS = ["Rovers", "United", "City", "Athletic", "Wanderers", "Rangers", "Hawks", "Falcons", "Tigers", "Comets"]
COMPANIES = ["Northwind Logistics", "Brightwater Foods", "Keystone Energy", "Halcyon Software", "Marlow Retail",
             "Crestline Motors", "Pinegate Bank", "Orbital Telecom"]
DISHES = [("lentil soup", "lentils"), ("roast chicken", "chicken"), ("banana bread", "bananas"),
          ("tomato pasta", "tomatoes"), ("vegetable curry", "vegetables"), ("apple crumble", "apples")]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _long_date(d: date) -> str:
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"


def _uk_date(d: date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def _count_word(n: int, rng: random.Random) -> str:
    return NUMBER_WORDS[n] if n in NUMBER_WORDS and rng.random() < 0.5 else str(n)


def _cap(s: str) -> str:
    return s[0].upper() + s[1:]


# ---------------------------------------------------------------------------
# Articles: (kind, headline, paragraphs, published)
# ---------------------------------------------------------------------------

def _published(rng: random.Random) -> date:
    return date(2023, 1, 1) + timedelta(days=rng.randrange(0, 900))


def raid_us(rng: random.Random, pub: date) -> tuple[str, list[str]]:
    city, state, county = rng.choice(US_PLACES)
    sheriff = _name(rng)
    agency = f"{county} Sheriff's Office"
    abbr = "".join(w[0] for w in county.split()) + "SO"
    op = rng.choice(OP_NAMES)
    start = pub - timedelta(days=rng.randrange(3, 12))
    end = start + timedelta(days=rng.randrange(1, 5))
    buyers, workers = rng.randrange(8, 60), rng.randrange(2, 20)
    victims, traffickers = rng.randrange(0, 6), rng.randrange(0, 3)
    total = buyers + workers + traffickers
    venue = rng.choice(["hotel rooms", "a motel off Interstate 4", "short-term rental apartments", "massage businesses"])
    partner = rng.choice(["Homeland Security Investigations", f"the {city} Police Department", "the FBI",
                          f"the {state} Department of Health"])
    headline = rng.choice([f"{total} arrested in '{'Operation ' + op}' prostitution sting, {county} sheriff says",
                           f"{agency} announces {total} arrests in undercover prostitution operation",
                           f"Deputies arrest {total} in {city}-area sex sting targeting buyers"])
    paras = [
        f"The {agency} ({abbr}) arrested {total} people during a {(end - start).days + 1}-day undercover operation "
        f"targeting prostitution and human trafficking in {county}, Sheriff {sheriff} announced on "
        f"{WEEKDAYS[pub.weekday()]}.",
        f"The operation, dubbed Operation {op}, ran from {_long_date(start)} through {_long_date(end)}. "
        f"Undercover detectives posed as sex workers on websites and apps and arranged meetings at {venue} in {city}.",
        f"Of those arrested, {_count_word(buyers, rng)} were charged with soliciting prostitution and "
        f"{_count_word(workers, rng)} were charged with offering to commit prostitution.",
        (f"{_cap(_count_word(traffickers, rng))} people were charged with human trafficking."
         if traffickers else "No one was charged with human trafficking."),
        (f"Detectives identified {_count_word(victims, rng)} possible victims of human trafficking, who were offered "
         f"services through local advocacy groups." if victims else "No victims of trafficking were identified."),
        f"{abbr} deputies worked alongside {partner} during the operation.",
        f"\"If you come to {county} to buy sex, the person you are talking to may be one of my detectives,\" "
        f"Sheriff {sheriff} said at a news conference. \"We will keep going after the demand.\"",
        f"Those arrested include a {rng.choice(['teacher', 'nurse', 'pastor', 'truck driver', 'college student'])} "
        f"and a man who drove more than {rng.randrange(50, 300)} miles to meet what he thought was a woman selling sex.",
        f"\"These stings push people into more dangerous situations,\" said {_name(rng)}, an organizer with a "
        f"sex worker rights group in {city}. \"Arrests do not make anyone safer.\"",
        "The names and booking photos of those arrested were posted on the sheriff's office website.",
    ]
    return headline, paras


def raid_uk(rng: random.Random, pub: date) -> tuple[str, list[str]]:
    town, force = rng.choice(UK_PLACES)
    women = rng.randrange(2, 9)
    arrested = rng.randrange(1, 4)
    raid = pub - timedelta(days=rng.randrange(1, 6))
    inspector = _name(rng)
    headline = rng.choice([f"Police raid suspected brothel in {town}; {women} women taken to place of safety",
                           f"Closure order on {town} flat after brothel raid",
                           f"{_cap(NUMBER_WORDS.get(arrested, str(arrested)))} arrested after raids on {town} brothels"])
    paras = [
        f"Officers from {force} raided a suspected brothel above a shop on {rng.choice(['High Street', 'Station Road', 'Market Street'])} "
        f"in {town} on {WEEKDAYS[raid.weekday()]} {_uk_date(raid)}.",
        f"{_cap(_count_word(arrested, rng))} people were arrested on suspicion of controlling prostitution for gain "
        f"and remain in custody.",
        f"{_cap(_count_word(women, rng))} women found at the property were taken to a place of safety and were "
        f"referred to the Home Office Immigration Enforcement team.",
        "The force said it would apply to magistrates for a closure order on the premises.",
        f"Detective Inspector {inspector} said: \"We will not tolerate the exploitation of vulnerable women in "
        f"{town}, and we urge anyone with information to contact us.\"",
        "\"Raids like this put women at risk of deportation and push them into more dangerous work,\" said a "
        "spokesperson for a sex worker support project.",
    ]
    return headline, paras


def raid_kerb(rng: random.Random, pub: date) -> tuple[str, list[str]]:
    town, force = rng.choice(UK_PLACES)
    men = rng.randrange(5, 20)
    headline = f"{men} men arrested in {town} kerb-crawling operation"
    paras = [
        f"{_cap(_count_word(men, rng))} men were arrested for kerb-crawling during a two-night operation by "
        f"{force} in the {town} area last week.",
        "Officers stopped drivers who were seen soliciting women for sex in the red light district, and the men "
        "were later charged and will appear before magistrates.",
        "Nobody was charged with trafficking, and no women were arrested, the force said.",
        f"Sergeant {_name(rng)} said: \"Kerb crawling blights this community and we will continue to target the men "
        f"who buy sex on our streets.\"",
        "A local outreach charity said women had moved to darker side streets since the crackdown began.",
    ]
    return headline, paras


def raid_ca(rng: random.Random, pub: date) -> tuple[str, list[str]]:
    city, force = rng.choice(CA_PLACES)
    men = rng.randrange(10, 70)
    project = rng.choice(OP_NAMES).split()[0]
    headline = f"{men} men charged in {force} operation targeting sex buyers"
    paras = [
        f"The {force} says {men} men have been charged after a month-long investigation, dubbed Project {project}, "
        f"that targeted people trying to buy sexual services in {city}.",
        f"Officers posed as sex workers in online advertisements and arranged meetings at hotels, police said at a "
        f"news conference on {WEEKDAYS[pub.weekday()]}.",
        f"Each man faces a charge of obtaining sexual services for consideration. Police said {rng.randrange(1, 5)} "
        f"women were identified as possible victims of human trafficking.",
        f"\"The purchase of sex fuels human trafficking,\" Staff Sgt. {_name(rng)} said.",
        "Advocates for sex workers criticised the operation, saying it made workers less safe.",
    ]
    return headline, paras


def raid_au(rng: random.Random, pub: date) -> tuple[str, list[str]]:
    suburb, force = rng.choice(AU_PLACES)
    venues, women = rng.randrange(2, 6), rng.randrange(3, 12)
    headline = f"{women} women detained after brothel raids in {suburb}"
    paras = [
        f"Officers from the {force} and the Australian Border Force raided {_count_word(venues, rng)} brothels in "
        f"{suburb} on {WEEKDAYS[(pub - timedelta(days=2)).weekday()]} as part of Strike Force {rng.choice(OP_NAMES).split()[0]}.",
        f"{_cap(_count_word(women, rng))} women were detained by the Australian Border Force for alleged visa "
        f"breaches and taken to Villawood Immigration Detention Centre.",
        f"A {rng.randrange(30, 60)}-year-old man was arrested and charged with knowingly conducting a brothel.",
        "The local council said it would seek closure orders against the premises.",
        f"\"This operation was about protecting women from exploitation,\" Detective Superintendent {_name(rng)} said.",
    ]
    return headline, paras


RAIDS = [raid_us, raid_us, raid_uk, raid_kerb, raid_ca, raid_au]


def confusable(rng: random.Random, pub: date) -> tuple[str, list[str]]:
    """Sex-work topic, no specific raid: policy, opinion, court, awareness."""
    city, state, _ = rng.choice(US_PLACES)
    kind = rng.randrange(4)
    if kind == 0:
        return (f"{city} council debates new massage business licensing rules", [
            f"The {city} City Council heard testimony on Tuesday on a proposed ordinance that would require massage "
            f"businesses to close by 10 p.m. and keep records of every client.",
            "Supporters said the ordinance would help police fight human trafficking; opponents said it would harm "
            "licensed therapists. The committee will vote next month.",
            f"\"This is a policy question about zoning and public health,\" council member {_name(rng)} said.",
        ])
    if kind == 1:
        return ("Opinion: It is time to decriminalise sex work", [
            "I believe the law should treat sex work as work. Decades of arrests have not reduced prostitution.",
            "We should listen to sex workers, who say that policing makes them less safe and more isolated.",
            f"The writer is a researcher at a university in {state}.",
        ])
    if kind == 2:
        return (f"Jury convicts {city} man in decade-old brothel case", [
            f"A jury on Thursday convicted a {city} man of running a brothel between 2012 and 2015.",
            "Prosecutors told the trial that the man had kept the earnings of several women. He will be sentenced "
            "in the spring.",
            "Police first investigated the property in 2015, the court heard.",
        ])
    return (f"Hundreds join {city} fun run for anti-trafficking charity", [
        f"More than 400 runners took part in a charity fun run in {city} on Saturday to raise awareness of human "
        f"trafficking.",
        "Organisers said the event raised $30,000 for a shelter. Police officers helped close roads along the route.",
    ])


def sports(rng: random.Random, pub: date) -> tuple[str, list[str]]:
    home, away = rng.sample(TEAMS, 2)
    hs, as_ = rng.randrange(0, 5), rng.randrange(0, 4)
    scorer = _name(rng)
    paras = [f"{home} beat {away} {hs}-{as_} on {WEEKDAYS[pub.weekday()]} in front of a crowd of {rng.randrange(8, 60)},000.",
             f"{scorer} opened the scoring after {rng.randrange(2, 40)} minutes with a low shot into the far corner.",
             "The visitors pressed after the break but their captain was booked for a late tackle and the home side "
             "held on.",
             "\"The lads were brilliant today,\" the manager said. \"We defended well and took our chances.\"",
             f"{home} are now {rng.randrange(1, 9)} points clear at the top of the table with {rng.randrange(3, 12)} "
             f"games left."]
    return f"{scorer} stars as {home} beat {away}", paras * rng.randrange(1, 3)


def weather(rng: random.Random, pub: date) -> tuple[str, list[str]]:
    temp = rng.randrange(-5, 35)
    paras = [f"Forecasters expect highs of {temp}C on {WEEKDAYS[pub.weekday()]} with a {rng.randrange(10, 90)}% "
             f"chance of showers in the afternoon.",
             "A weather warning for wind is in place along the coast until Thursday morning, and drivers have been "
             "advised to allow extra time.",
             "Several roads were closed after flooding, and police asked people to avoid unnecessary journeys.",
             f"The weekend looks brighter, with sunny spells and light winds and overnight lows of {temp - 8}C."]
    return f"Wind warning as temperatures reach {temp}C", paras


def business(rng: random.Random, pub: date) -> tuple[str, list[str]]:
    company = rng.choice(COMPANIES)
    pct = rng.randrange(2, 15)
    paras = [f"Shares in {company} rose {pct}% on {WEEKDAYS[pub.weekday()]} after the company reported quarterly "
             f"revenue of ${rng.randrange(100, 900)} million, ahead of forecasts.",
             f"Chief executive {_name(rng)} said demand had recovered in the second half and the firm expected to "
             f"hire {rng.randrange(50, 500)} people next year.",
             "Analysts said the results eased concerns about costs, though the outlook for margins remained cautious.",
             "The company will pay a dividend of 12 cents a share in March."]
    return f"{company} shares jump {pct}% on strong results", paras


def crime_other(rng: random.Random, pub: date) -> tuple[str, list[str]]:
    city, state, county = rng.choice(US_PLACES)
    kind = rng.randrange(3)
    if kind == 0:
        n = rng.randrange(2, 9)
        return (f"{n} arrested in {city} drug trafficking investigation", [
            f"Detectives arrested {n} people and seized {rng.randrange(2, 40)} kilograms of cocaine during a drug "
            f"trafficking investigation in {city}, police said {WEEKDAYS[pub.weekday()]}.",
            "Officers executed search warrants at three homes and seized cash and firearms.",
            f"\"This operation took a significant quantity of drugs off our streets,\" Chief {_name(rng)} said.",
        ])
    if kind == 1:
        return (f"Police investigate burglaries in {city} neighborhood", [
            f"Police in {city} are investigating a string of burglaries in which garages were broken into overnight.",
            "Officers urged residents to lock doors and report suspicious activity; no arrests have been made.",
        ])
    return (f"Driver charged after crash on {city} highway", [
        f"A {rng.randrange(19, 70)}-year-old driver was charged with reckless driving after a crash that closed the "
        f"highway near {city} for three hours on {WEEKDAYS[pub.weekday()]}.",
        f"The {county} Sheriff's Office said two people were taken to hospital with minor injuries.",
    ])


def recipe(rng: random.Random, pub: date) -> tuple[str, list[str]]:
    dish, main = rng.choice(DISHES)
    return (f"Easy {dish} for a weeknight", [
        f"This {dish} takes about {rng.randrange(20, 70)} minutes and feeds four.",
        f"Chop the {main} and cook them gently in olive oil with garlic and a pinch of salt for ten minutes.",
        "Add the stock and simmer until everything is tender, then season to taste and serve with warm bread.",
        "Leftovers keep for three days in the fridge and freeze well.",
    ])


def council(rng: random.Random, pub: date) -> tuple[str, list[str]]:
    city, state, _ = rng.choice(US_PLACES)
    return (f"{city} council approves new budget", [
        f"The {city} City Council voted {rng.randrange(5, 9)}-{rng.randrange(0, 4)} on Tuesday to approve a "
        f"${rng.randrange(200, 900)} million budget that includes money for road repairs and two new libraries.",
        f"Mayor {_name(rng)} said the plan would not raise property taxes.",
        "Residents spoke for and against a proposal to extend library opening hours at the public hearing.",
    ])


EVERYDAY = [sports, sports, weather, business, crime_other, recipe, council]

# ---------------------------------------------------------------------------
# Page boilerplate
# ---------------------------------------------------------------------------

SITES = [
    ("The Daily Example", "news.example.com", ["News", "Local", "Crime", "Politics", "Business", "Sports", "Weather",
                                                 "Opinion", "Obituaries", "Food", "Entertainment", "Jobs"]),
    ("Metro Herald", "herald.example.co.uk", ["Home", "UK", "World", "Police & Courts", "Money", "Sport", "Lifestyle",
                                           "Travel", "Puzzles", "Newsletters"]),
    ("Channel 7 Action News", "ch7.example.net", ["Watch Live", "Local News", "Traffic", "Weather", "Investigations",
                                           "Sports", "Community", "Contact Us"]),
]
KICKERS = ["Local", "Sport", "Weather", "Business", "Food", "Politics", "Traffic", "Schools"]
FOOTER = [("Sections", ["News", "Sport", "Business", "Weather", "Opinion", "Food", "Travel", "Arts", "Science"]),
          ("Regions", ["North", "South", "East", "West", "Central", "Coast", "Valley", "Downtown", "Suburbs"]),
          ("Company", ["About", "Contact", "Careers", "Advertise", "Licensing", "Corrections", "Ethics"]),
          ("Legal", ["Privacy", "Terms", "Cookies", "Accessibility", "Sitemap", "RSS"])]
SYLLABLES = ["ab", "cd", "el", "fo", "ga", "hi", "jo", "ku", "la", "mo", "ne", "pi", "qu", "ra", "ti", "vo", "wa",
             "ze", "on", "ex", "ad", "ui", "ev", "re", "nd", "st", "tr", "gr", "bl", "ch"]


def _js_blob(rng: random.Random, size: int) -> str:
    """Pseudo-minified JavaScript/JSON: identifiers, numbers, strings, punctuation."""
    parts, total = [], 0
    ops = ["=", "+", "&&", "||", "===", "?", ":", ",", ";", ".", "(", ")", "{", "}", "[", "]", "!"]
    while total < size:
        r = rng.random()
        if r < 0.45:
            piece = "".join(rng.choice(SYLLABLES) for _ in range(rng.randrange(1, 4)))
        elif r < 0.55:
            piece = str(rng.randrange(0, 100000))
        elif r < 0.62:
            piece = '"' + "".join(rng.choice(SYLLABLES) for _ in range(rng.randrange(2, 6))) + '"'
        elif r < 0.65:
            piece = "function(" + rng.choice(SYLLABLES) + "){return "
        else:
            piece = rng.choice(ops)
        parts.append(piece)
        total += len(piece)
    return "".join(parts)


@dataclass
class Page:
    index: int
    kind: str  # "relevant", "confusable" or "other"
    data: bytes


@dataclass
class Generator:
    seed: int
    rng: random.Random = field(init=False)
    blob: str = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.blob = _js_blob(random.Random(self.seed + 1), 200_000)
        self.css = "".join(f".c{i}{{margin:{i % 7}px;padding:{i % 5}px;color:#{i * 2654435761 % 0xFFFFFF:06x}}}"
                           for i in range(300))

    def _slice(self, n: int) -> str:
        start = self.rng.randrange(0, len(self.blob) - n) if n < len(self.blob) else 0
        return self.blob[start:start + n]

    def _card(self, rng: random.Random, i: int) -> str:
        headline, paras = rng.choice(EVERYDAY)(rng, _published(rng))
        return (f'<div class="card card-{i % 4}"><a href="/story/{rng.randrange(10**6)}"><img src="/img/{rng.randrange(10**6)}.jpg" '
                f'alt="" loading="lazy" width="320" height="180"><span class="kicker">{rng.choice(KICKERS)}</span>'
                f"<h3>{escape(headline)}</h3></a><p class=\"summary\">{escape(paras[0][:120])}</p></div>\n")

    def page(self, index: int) -> Page:
        rng = self.rng
        r = rng.random()
        pub = _published(rng)
        if r < RELEVANT_RATE:
            kind, (headline, paras) = "relevant", rng.choice(RAIDS)(rng, pub)
        elif r < RELEVANT_RATE + CONFUSABLE_RATE:
            kind, (headline, paras) = "confusable", confusable(rng, pub)
        else:
            kind, (headline, paras) = "other", rng.choice(EVERYDAY)(rng, pub)
        site, host, nav = rng.choice(SITES)
        slug = "-".join(w.lower().strip("'\",;:") for w in headline.split()[:8])
        url = f"https://www.{host}/news/{pub.isoformat().replace('-', '/')}/{slug}-{index}"
        author = _name(rng)
        trending = [rng.choice(EVERYDAY)(rng, _published(rng))[0] for _ in range(8)]
        head = (
            f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(headline)} | {site}</title>\n"
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="description" content="{escape(paras[0][:150])}">\n'
            f'<meta property="og:title" content="{escape(headline)}">\n<meta property="og:url" content="{url}">\n'
            f'<meta property="article:published_time" content="{pub.isoformat()}T09:{index % 60:02d}:00Z">\n'
            f'<link rel="canonical" href="{url}">\n<link rel="stylesheet" href="/static/css/main.{index % 97}.css">\n'
            f"<style>{self.css}</style>\n"
            '<script type="application/ld+json">'
            + json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": headline,
                          "datePublished": pub.isoformat(), "author": {"@type": "Person", "name": author},
                          "publisher": {"@type": "Organization", "name": site}})
            + "</script>\n"
        )
        navbar = ('<header class="site-header"><div class="top-bar"><a href="/subscribe">Subscribe</a> '
                  '<a href="/login">Sign in</a></div>\n<nav class="main-nav"><ul>\n'
                  + "".join(f'  <li class="nav-item"><a href="/{n.lower().replace(" ", "-").replace("&", "and")}/">'
                            f"{escape(n)}</a></li>\n" for n in nav)
                  + "</ul></nav></header>\n")
        article = (f'<main id="content"><article class="story">\n<h1 class="headline">{escape(headline)}</h1>\n'
                   f'<div class="byline">By <a href="/staff/{author.lower().replace(" ", "-")}">{author}</a></div>\n'
                   f'<time datetime="{pub.isoformat()}">{_long_date(pub)}</time>\n'
                   + "".join(f'<p class="story-text">{escape(p)}</p>\n' for p in paras)
                   + "</article>\n")
        aside = ('<aside class="trending"><h2>Trending</h2><ol>\n'
                 + "".join(f'<li><a href="/news/{i}">{escape(t)}</a></li>\n' for i, t in enumerate(trending))
                 + "</ol></aside>\n"
                 + "".join(f'<div class="ad-slot" id="ad-{i}" data-sizes="[[300,250],[728,90]]"></div>\n' for i in range(6))
                 + '<section class="related"><h2>More from ' + escape(site) + "</h2>\n"
                 + "".join(self._card(rng, i) for i in range(24))
                 + '</section>\n<form class="newsletter" action="/subscribe"><label for="email">Get the morning '
                   'briefing</label><input id="email" type="email" name="email"><button>Sign up</button></form>\n'
                 + "</main>\n")
        footer = ('<footer class="site-footer">'
                  + "".join(f'<div class="col"><h4>{col}</h4><ul>'
                            + "".join(f'<li><a href="/{col.lower()}/{x.lower()}">{x}</a></li>' for x in links)
                            + "</ul></div>\n" for col, links in FOOTER)
                  + f"<p>&copy; {pub.year} {site}. All rights reserved.</p></footer>\n")
        fixed = len(head) + len(navbar) + len(article) + len(aside) + len(footer) + 80
        target = rng.randrange(PAGE_KB[0] * 1024, PAGE_KB[1] * 1024)
        pad = max(0, target - fixed)
        first = pad * 2 // 3
        html = (head + f"<script>{self._slice(first)}</script>\n</head>\n<body>\n" + navbar + article + aside + footer
                + f"<script>{self._slice(pad - first)}</script>\n</body></html>\n")
        return Page(index, kind, html.encode("utf-8"))


# ---------------------------------------------------------------------------
# Measurement
# ---------------------------------------------------------------------------

class Clock:
    """Wall and CPU time of the timed sections."""

    def __init__(self) -> None:
        self.wall = 0.0
        self.cpu = 0.0

    def __enter__(self) -> "Clock":
        self._w, self._c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall += time.perf_counter() - self._w
        self.cpu += time.process_time() - self._c


def _add(clocks: dict[str, Clock], kind: str, clock: Clock) -> None:
    for name in ("all", kind):
        if name in clocks:
            clocks[name].wall += clock.wall
            clocks[name].cpu += clock.cpu


def _rates(name: str, n: float, *clocks: Clock) -> dict[str, float | None]:
    """`name` from CPU time (the figure: one core's work, whatever else runs), `name_wall` from wall time."""
    return {name: _rate(n, sum(c.cpu for c in clocks)), f"{name}_wall": _rate(n, sum(c.wall for c in clocks))}


def _rate(n: float, seconds: float) -> float | None:
    """n per second, or None when nothing was timed (no page of that kind)."""
    return n / seconds if n and seconds > 0 else None


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def run(pages: int, seed: int, profile: int = 0) -> dict:
    from raidwatch.extract import extract
    from raidwatch.extract.prefilter import get_prefilter, needs_processing
    from raidwatch.ingest.html import decode_html, parse_html
    from raidwatch.model import Document

    gen = Generator(seed)
    warm: dict[str, float] = {}

    t = time.perf_counter()
    get_prefilter()
    warm["prefilter_build_s"] = time.perf_counter() - t
    # Warm-up pages come from another seed, so the measured stream is the same with any warm-up.
    sample = Generator(seed + 1_000_003)
    warm_page = next(p for p in (sample.page(i) for i in range(100_000)) if p.kind == "relevant")
    t = time.perf_counter()
    warm_doc = parse_html(warm_page.data.decode("utf-8"), source_id="warm-up")
    warm["html_first_call_s"] = time.perf_counter() - t
    t = time.perf_counter()
    if isinstance(warm_doc, Document):
        extract(warm_doc)
    # The gazetteer builds its name-lookup index on the first lookup() (once per process, like the
    # lexicons); whether the warm-up page needs a lookup depends on its text, so build it here.
    from raidwatch.extract.gazetteer import get_gazetteer
    get_gazetteer().lookup("London")
    warm["extract_first_call_s"] = time.perf_counter() - t

    # (a) prefilter over the whole stream
    pre = Clock()
    total_bytes = 0
    kinds = {"relevant": 0, "confusable": 0, "other": 0}
    passed: list[Page] = []
    for i in range(pages):
        page = gen.page(i)
        kinds[page.kind] += 1
        total_bytes += len(page.data)
        with pre:
            keep = needs_processing(page.data)
        if keep:
            passed.append(page)
    passed_kinds = {k: sum(1 for p in passed if p.kind == k) for k in kinds}

    # (b) full extraction of the passed pages, each page timed on its own
    html_clock = {"all": Clock(), "relevant": Clock()}
    extract_clock = {"all": Clock(), "relevant": Clock()}
    docs: list[tuple[Page, Document]] = []
    html_errors = 0
    for page in passed:
        with Clock() as clock:
            text = decode_html(Path(f"page-{page.index}.html"), page.data)
            doc = parse_html(text, source_id=f"page-{page.index}") if isinstance(text, str) else text
        _add(html_clock, page.kind, clock)
        if isinstance(doc, Document):
            docs.append((page, doc))
        else:
            html_errors += 1

    profiler = cProfile.Profile() if profile else None
    found = {"relevant": 0, "confusable": 0, "other": 0}
    for page, doc in docs:
        if profiler:
            profiler.enable()
        with Clock() as clock:
            result = extract(doc)
        if profiler:
            profiler.disable()
        _add(extract_clock, page.kind, clock)
        if result.relevant:
            found[page.kind] += 1

    n_all = len(docs)
    n_rel = sum(1 for p, _ in docs if p.kind == "relevant")
    figures = {
        "config": {"pages": pages, "seed": seed, "python": platform.python_version(),
                   "cpu_affinity": sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
                   "threads": "single-threaded"},
        "stream": {"pages": pages, "megabytes": total_bytes / 1e6, "mean_page_kb": total_bytes / max(pages, 1) / 1024,
                   "kinds": kinds},
        "warm_up": warm,
        "timing": "rates use CPU time (time.process_time) of the timed calls; *_wall use wall time",
        "prefilter": {
            "seconds": pre.wall, "cpu_seconds": pre.cpu,
            **_rates("mb_per_s", total_bytes / 1e6, pre),
            **_rates("pages_per_s", pages, pre),
            "passed": len(passed), "passed_kinds": passed_kinds,
            "recall": passed_kinds["relevant"] / kinds["relevant"] if kinds["relevant"] else None,
        },
        "extraction": {
            "documents": n_all, "relevant_documents": n_rel, "html_errors": html_errors,
            "html_seconds": html_clock["all"].wall, "html_cpu_seconds": html_clock["all"].cpu,
            "extract_seconds": extract_clock["all"].wall, "extract_cpu_seconds": extract_clock["all"].cpu,
            **_rates("html_docs_per_s", n_all, html_clock["all"]),
            **_rates("extract_docs_per_s", n_all, extract_clock["all"]),
            **_rates("combined_docs_per_s", n_all, html_clock["all"], extract_clock["all"]),
            **_rates("relevant_html_docs_per_s", n_rel, html_clock["relevant"]),
            **_rates("relevant_extract_docs_per_s", n_rel, extract_clock["relevant"]),
            **_rates("relevant_combined_docs_per_s", n_rel, html_clock["relevant"], extract_clock["relevant"]),
            "extract_says_relevant": found,
        },
        "peak_memory_mb": _peak_mb(),
    }
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(profile)
        figures["profile_text"] = out.getvalue()
    return figures


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def table(f: dict) -> str:
    c, s, p, e = f["config"], f["stream"], f["prefilter"], f["extraction"]
    k, pk = s["kinds"], p["passed_kinds"]
    def check(value: float | None, ok) -> bool | None:
        return None if value is None else ok(value)

    rows = [
        ("prefilter throughput (MB/s)", p["mb_per_s"], f">= {TARGET_PREFILTER_MBPS:g}",
         check(p["mb_per_s"], lambda v: v >= TARGET_PREFILTER_MBPS)),
        ("prefilter pages/s", p["pages_per_s"], "", None),
        ("HTML -> text, passed pages (docs/s)", e["html_docs_per_s"], "", None),
        ("extract(), passed pages (docs/s)", e["extract_docs_per_s"], "", None),
        ("HTML -> text + extract(), passed pages (docs/s)", e["combined_docs_per_s"], "", None),
        ("HTML -> text, relevant pages (docs/s)", e["relevant_html_docs_per_s"], "", None),
        ("extract(), relevant pages (docs/s)", e["relevant_extract_docs_per_s"], "", None),
        ("full extraction, relevant docs/s per core", e["relevant_combined_docs_per_s"],
         f">= {TARGET_RELEVANT_DOCS_PER_S:g}",
         check(e["relevant_combined_docs_per_s"], lambda v: v >= TARGET_RELEVANT_DOCS_PER_S)),
        ("peak memory, ru_maxrss (MB)", f["peak_memory_mb"], f"< {TARGET_PEAK_MB:g}", f["peak_memory_mb"] < TARGET_PEAK_MB),
    ]
    width = max(len(r[0]) for r in rows)
    lines = [
        f"raidwatch extraction benchmark: {c['pages']} pages, seed {c['seed']}, Python {c['python']}, "
        f"CPU affinity {c['cpu_affinity']} ({c['threads']}: one core used)",
        f"stream: {s['megabytes']:.1f} MB, mean page {s['mean_page_kb']:.1f} KB; {k['relevant']} relevant, "
        f"{k['confusable']} confusable (sex work, no raid), {k['other']} other",
        f"prefilter passed {p['passed']}: {pk['relevant']}/{k['relevant']} relevant (recall "
        f"{_fmt(100 * p['recall'] if p['recall'] is not None else None)}%), {pk['confusable']}/{k['confusable']} "
        f"confusable, {pk['other']}/{k['other']} other",
        f"extract() called relevant: {e['extract_says_relevant']['relevant']}/{e['relevant_documents']} relevant, "
        f"{e['extract_says_relevant']['confusable']} confusable, {e['extract_says_relevant']['other']} other "
        f"(HTML errors: {e['html_errors']})",
        "",
        f"{'measure':<{width}}  {'measured':>10}  {'target':>8}  ok",
        f"{'-' * width}  {'-' * 10}  {'-' * 8}  ---",
    ]
    for name, value, target, ok in rows:
        mark = "" if ok is None else ("yes" if ok else "NO")
        lines.append(f"{name:<{width}}  {_fmt(value):>10}  {target:>8}  {mark}")
    w = f["warm_up"]
    lines += [
        "",
        f"warm-up, not in the figures: prefilter build {w['prefilter_build_s'] * 1000:.0f} ms, first HTML parse "
        f"(imports trafilatura) {w['html_first_call_s'] * 1000:.0f} ms, first extract() (lexicons, gazetteer) "
        f"{w['extract_first_call_s'] * 1000:.0f} ms",
        f"rates are per CPU-second of the timed calls (time.process_time). CPU/wall seconds: prefilter "
        f"{p['cpu_seconds']:.2f}/{p['seconds']:.2f}, HTML {e['html_cpu_seconds']:.2f}/{e['html_seconds']:.2f}, "
        f"extract {e['extract_cpu_seconds']:.2f}/{e['extract_seconds']:.2f}; wall-time rates: prefilter "
        f"{_fmt(p['mb_per_s_wall'])} MB/s, relevant docs {_fmt(e['relevant_combined_docs_per_s_wall'])}/s",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=10_000, help="pages in the stream (default 10000)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the stream (default 1)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")
    parser.add_argument("--cpu", type=int, default=None, help="pin the process to this CPU first")
    parser.add_argument("--repeat", type=int, default=1, metavar="R",
                        help="run R streams (seeds S, S+1, ...) and show the median run; the machine's speed "
                             "drifts from minute to minute, so one run can mislead (default 1)")
    parser.add_argument("--profile", type=int, default=0, metavar="K",
                        help="also profile extract() (cProfile) and print its K costliest functions")
    args = parser.parse_args(argv)
    if args.pages < 1:
        parser.error("--pages must be at least 1")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    runs = [run(args.pages, args.seed + i, args.profile) for i in range(args.repeat)]
    # The run whose relevant-docs figure is the median stands for all (the lower median for an even count).
    key = "relevant_combined_docs_per_s"
    ordered = sorted(runs, key=lambda f: f["extraction"][key] or 0.0)
    figures = ordered[(len(ordered) - 1) // 2]
    figures["warm_up"] = runs[0]["warm_up"]  # one-time costs are paid by the first run only
    values = [f["extraction"][key] for f in runs]
    measured = [v for v in values if v is not None]  # None: a run with no relevant page (tiny --pages)
    profile_text = figures.pop("profile_text", None)
    if args.json:
        if profile_text:
            figures["profile_text"] = profile_text
        if args.repeat > 1:
            figures["repeats"] = [{"seed": f["config"]["seed"], key: f["extraction"][key],
                                   "prefilter_mb_per_s": f["prefilter"]["mb_per_s"],
                                   "peak_memory_mb": f["peak_memory_mb"]} for f in runs]
        print(json.dumps(figures, indent=2))
    else:
        print(table(figures))
        if args.repeat > 1:
            print(f"\n{args.repeat} runs (seeds {args.seed}..{args.seed + args.repeat - 1}); the table is the median "
                  f"run's. Full extraction, relevant docs/s per core: "
                  + ", ".join(_fmt(v) for v in values)
                  + f" (median {_fmt(figures['extraction'][key])}, min {_fmt(min(measured, default=None))}, "
                    f"max {_fmt(max(measured, default=None))})")
        if profile_text:
            print("\nextract() profile (cProfile, sorted by own time):\n" + profile_text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
