"""HTML pages (.html/.htm): main text, title, date and URL.

The document text is the headline, a blank line, then the main text with one
blank line between paragraphs, so it looks like a .txt source.

The main text comes one of two ways:

* The quick path (lxml only, about 1 ms a page). The page marks its story up
  as one itemprop="articleBody", one <article> or one <main>/role="main"
  (tried in that order), narrowed to its story-body elements (class
  "article-body", "entry-content" ...) when those hold most of its text. Its
  <p>, <h1>-<h6>, <li> and <blockquote> blocks are taken in document order
  (a <br> starts a new paragraph, a list item reads "- item"), leaving out
  scripts, styles, forms, media, <nav>/<aside>/<footer>/<figure>, hidden
  elements, elements whose class or id names boilerplate (share, related,
  newsletter, comments, cookie, ad, byline ...), blocks that are mostly link
  text ("Read more: ...", teaser cards) and furniture lines
  ("Advertisement", "Copyright ... All rights reserved").
  It is taken only when it clearly is the story: at least 3 <p> and 400
  characters of them, nearly all of the container's own text in the blocks
  taken, no table, little <p> text in the parts left out, and at least half
  of the page's non-boilerplate <p> text; a page with several such
  containers (a listing) does not qualify.
* Otherwise trafilatura: its fast mode when the page has at least 1,000
  characters of <p> text, re-done with the full cascade (readability,
  justext) when the fast result is short or covers less than half of that
  text; the full cascade at once on pages with little <p> text.

Title, URL and date are what the same trafilatura/htmldate functions give
either way: og:title, <meta>, JSON-LD headline, a single <h1> or <title>;
og:url or the canonical link (on the quick path the <head>'s meta tags are
read directly when they give a title, as trafilatura would read them); the date from htmldate without its extensive search (the
URL, <meta>, JSON-LD, <time> ...), so the date of a raid in the text is not
taken for the publication date. Without one, a date line at the top of the
text ("Published 3 May 2024") is used.
"""
from __future__ import annotations

import codecs
import re
from datetime import datetime
from functools import lru_cache
from html import unescape
from pathlib import Path

from raidwatch.model import Document

from .common import (
    MAX_BYTES,
    IngestError,
    check_not_blank,
    guess_language,
    load_bytes,
    normalise_language,
    normalise_newlines,
    parse_date,
    utf8_error_reason,
)
from .text import find_published

MIN_SENTENCE_WORDS = 6  # main text needs at least one line this long

_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_HTML_LANG_RE = re.compile(r"""<html\b[^>]*?\blang\s*=\s*["']?\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)""", re.IGNORECASE)

# --------------------------------------------------------------------------
# Quick path: thresholds and vocabulary
# --------------------------------------------------------------------------

QUICK_MIN_PARAGRAPHS = 3  # <p> blocks with text in the container
QUICK_MIN_CHARS = 400  # characters in those <p> blocks
QUICK_MIN_COVERAGE = 0.85  # share of the container's text that is in the blocks taken
QUICK_MAX_SKIPPED = 0.3  # <p> text in skipped parts of the container, as a share of the <p> text taken
QUICK_MIN_PAGE_SHARE = 0.5  # share of the page's (non-boilerplate) <p> text inside the container
LINK_DENSE = 0.6  # a block with this share of link text is a link, not text
TEASER_MAX_CHARS = 300  # <p> text next to a linked heading up to this size is a teaser
BODY_MIN_SHARE = 0.5  # story-body elements (class="article-body" ...) holding this share of the text are the story
# Fallback: trafilatura's fast mode when the page has at least this much <p>
# text; its result is re-done with the full cascade (readability, justext)
# when shorter than this, or than this share of the page's <p> text.
FAST_ENOUGH_CHARS = 1000
FAST_ENOUGH_PAGE_SHARE = 0.5

_KEEP, _NEVER, _BOILERPLATE = 0, 1, 2  # what _skip() says about an element
# Never text, wherever they are.
_NEVER_TAGS = frozenset(
    "script style noscript template head title meta link base button select option optgroup datalist textarea "
    "input label output iframe frame frameset object embed applet param svg math canvas video audio source "
    "track img picture map area".split()
)
# Page furniture: skipped, and their <p> text counts against the quick path.
_FURNITURE_TAGS = frozenset("nav aside footer header form figure figcaption dialog menu".split())
_SKIP_ROLES = frozenset(
    "navigation banner contentinfo complementary dialog alertdialog search menu menubar toolbar tooltip".split()
)
# A class or id with one of these words (split at - and _) marks boilerplate.
_BOILERPLATE_WORDS = frozenset(
    """
    nav navbar navigation menu breadcrumb breadcrumbs masthead footer sidebar rail
    related recirc recirculation recommended recommendations trending popular mostread
    share sharing sharebar social socials newsletter newsletters subscribe subscription signup
    promo promotion advert advertisement advertising ad ads adslot adunit dfp sponsor sponsored
    comment comments conversation discussion replies reply respond responses coral viafoura disqus
    cookie cookies consent gdpr banner byline author authors bio tags caption credit credits
    toolbar popup modal overlay outbrain taboola widget tweet embed gallery slideshow carousel player
    pagination pager skip rating reactions copyright timestamp meta metadata
    """.split()
)
# Whole class/id tokens that mark boilerplate or hidden text (also inside a paragraph).
_BOILERPLATE_TOKENS = frozenset(
    """
    hidden sr-only visually-hidden visuallyhidden screen-reader-text screenreader-only offscreen
    read-more readmore more-stories read-next up-next see-also also-read most-read sign-up
    twitter-tweet instagram-media tiktok-embed
    """.split()
)
_NAME_SPLIT_RE = re.compile(r"[^a-z0-9]+")
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_LISTS = frozenset(("ul", "ol"))
_UNSUPPORTED = frozenset(("table", "pre"))  # rendered by trafilatura, not by the quick path
# Inside the container, the elements that hold the story body, by the class and
# id names trafilatura looks for first (its BODY_XPATH).
_BODY_NAMES = (
    r"(?:entry|page|text|article|art|post)[-_]?content|article(?:-|__)?(?:body|text|content)|articleBody|"
    r"ArticleContent|body-text|post[-_]?(?:text|body|entry|inner)|story[-_]?(?:body|content|text)|field-body"
)
_BODY_XPATH_SOURCE = (
    ".//*[self::div or self::section or self::article or self::main]"
    f"[@class='entry' or @class='post' or re:test(@class, '{_BODY_NAMES}') or re:test(@id, '{_BODY_NAMES}')]"
)
_BODY_XPATH = None
# Lines that are page furniture even inside the story.
_FURNITURE_RE = re.compile(
    r"^(?:advertisement|advertisements?\W*(?:story|article) continues below|(?:story|article) continues "
    r"(?:below|after)(?: (?:this )?(?:advertisement|ad))?|continue reading(?: below)?|"
    r"read more|related(?: (?:stories|articles|content|coverage|links))?|more on this (?:story|topic)|see also|"
    r"(?:©|\(c\)|copyright\b).{0,200}\ball rights reserved\b.*)\W*$",
    re.IGNORECASE,
)
_BREAK = "\x00"  # a <br> in collected text (lxml text never holds NUL)
_PARSER = None


def read_html(path: Path, max_bytes: int = MAX_BYTES) -> list[Document | IngestError]:
    data = load_bytes(path, max_bytes)
    if isinstance(data, IngestError):
        return [data]
    page = decode_html(path, data)
    if isinstance(page, IngestError):
        return [page]
    blank = check_not_blank(path, page)
    if blank:
        return [blank]
    return [parse_html(page, source_id=path.stem, source_path=str(path))]


def decode_html(path: Path, data: bytes) -> str | IngestError:
    """UTF-8, or the charset the page declares in a <meta> tag."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        utf8_problem = utf8_error_reason(data, exc)
    declared = _CHARSET_RE.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii", "replace")
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            return IngestError(str(path), f"{utf8_problem}, and the declared charset '{name}' is unknown")
        if codec != "utf-8":
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return IngestError(str(path), f"{utf8_problem}, nor valid '{name}' as declared")
    return IngestError(str(path), utf8_problem)


def parse_html(page: str, source_id: str, source_path: str | None = None) -> Document | IngestError:
    """A Document from the HTML source of one article page."""
    where = source_path or source_id
    page_chars = 0
    try:
        tree = _parse(page)
        quick = _quick_extract(tree) if tree is not None else None
        if isinstance(quick, list):
            title, url, date = _metadata(tree)
            doc = _document(page, quick, title, url, date, source_id, source_path)
            if doc is not None:
                return doc
        elif quick is not None:
            page_chars = quick
    except Exception:  # odd markup (very deep nesting ...) or changed trafilatura internals: the long way
        pass
    return _trafilatura_document(page, page_chars, source_id, source_path, where)


def _document(
    page: str,
    paragraphs: list[str],
    title: str | None,
    url: str | None,
    date: object,
    source_id: str,
    source_path: str | None,
) -> Document | None:
    """The Document, or None when the paragraphs hold no sentence-like line."""
    if paragraphs and title and _same(paragraphs[0], title):
        paragraphs = paragraphs[1:]  # the <h1> repeats the title
    if not _has_sentence(paragraphs):
        return None  # e.g. only nav links ("Home\nNews")
    body = "\n\n".join(paragraphs)
    text = f"{title}\n\n{body}" if title else body
    published = parse_date(date) or find_published(body)
    lang = _HTML_LANG_RE.search(page[:4096])
    language = normalise_language(lang.group(1)) if lang else None
    return Document(
        text=text,
        source_id=source_id,
        title=title,
        url=url,
        published=published,
        language=language or guess_language(text),
        source_path=source_path,
    )


# --------------------------------------------------------------------------
# The long way: trafilatura
# --------------------------------------------------------------------------

def _date_params() -> dict:
    # Without the extensive search htmldate only trusts markup (<meta>,
    # <time>, JSON-LD) and the URL; the extensive search takes any date in
    # the body, e.g. the date of the raid, as the publication date.
    return {"original_date": True, "extensive_search": False, "max_date": datetime.now().strftime("%Y-%m-%d")}


def _bare_extraction(page: str, fast: bool):
    import trafilatura  # slow import; only when HTML is read

    return trafilatura.bare_extraction(
        page, fast=fast, with_metadata=True, include_comments=False, date_extraction_params=_date_params()
    )


def _trafilatura_document(
    page: str, page_chars: int, source_id: str, source_path: str | None, where: str
) -> Document | IngestError:
    try:
        result = None
        if page_chars >= FAST_ENOUGH_CHARS:
            result = _bare_extraction(page, fast=True)
            title, paragraphs = _trafilatura_parts(result)
            fast_chars = len(getattr(result, "text", None) or "") if result is not None else 0
            if fast_chars < max(FAST_ENOUGH_CHARS, FAST_ENOUGH_PAGE_SHARE * page_chars) or not _has_sentence(
                paragraphs
            ):
                # short or partial: readability/justext may find what fast mode missed
                full = _bare_extraction(page, fast=False)
                if full is not None:
                    result = full
                    title, paragraphs = _trafilatura_parts(result)
        else:  # little paragraph text: the full cascade at once
            result = _bare_extraction(page, fast=False)
            title, paragraphs = _trafilatura_parts(result)
    except Exception as exc:  # lxml/trafilatura errors on malformed pages
        return IngestError(where, f"could not parse the HTML ({type(exc).__name__}: {exc})")
    doc = _document(
        page,
        paragraphs,
        title,
        _clean(getattr(result, "url", None)) if result is not None else None,
        getattr(result, "date", None) if result is not None else None,
        source_id,
        source_path,
    )
    if doc is None:
        # trafilatura falls back to nav links and the like ("Home\nNews")
        return IngestError(where, "no article text found in the HTML")
    return doc


def _trafilatura_parts(result) -> tuple[str | None, list[str]]:
    if result is None:
        return None, []
    return _clean(getattr(result, "title", None)), _paragraphs(getattr(result, "text", None))


# --------------------------------------------------------------------------
# Quick path
# --------------------------------------------------------------------------

def _parse(page: str):
    """The lxml tree (parsed with trafilatura's parser settings), or None."""
    global _PARSER
    from lxml.etree import ParserError
    from lxml.html import HTMLParser, document_fromstring

    if _PARSER is None:
        _PARSER = HTMLParser(collect_ids=False, default_doctype=False, remove_comments=True, remove_pis=True)
    try:
        return document_fromstring(page, parser=_PARSER)
    except (ParserError, ValueError):  # no document, XML declaration in a str ...: trafilatura copes
        return None


def _metadata(tree) -> tuple[str | None, str | None, str | None]:
    """Title, URL and date exactly as trafilatura.bare_extraction finds them
    (trafilatura.metadata.extract_metadata without author, site name,
    categories, tags and licence, which are not used)."""
    from htmldate import find_date
    from trafilatura.metadata import examine_meta, extract_meta_json, extract_title, extract_url

    title, url = _meta_title_url(tree)
    if not title:
        meta = examine_meta(tree)
        # JSON-LD only fills a title the <meta> tags left empty (and never the URL).
        try:
            meta = extract_meta_json(tree, meta)
        except Exception:  # as extract_metadata: bugs in trafilatura's JSON-LD reader
            pass
        title, url = meta.title, meta.url
    title = title or extract_title(tree)
    url = url or extract_url(tree)
    date = find_date(tree, url=url, **_date_params())
    return _meta_text(title), _meta_text(url), date


def _meta_title_url(tree) -> tuple[str | None, str | None]:
    """The title and URL of trafilatura's examine_meta (the <head>'s og:title, og:url, <meta>
    title names, itemprop headline, twitter:url), read without the rest it works out (authors,
    tags, site name ...), which costs more than the whole quick path's metadata otherwise."""
    from courlan import is_valid_url
    from trafilatura.metadata import METANAME_TITLE
    from trafilatura.utils import HTML_STRIP_TAGS

    heads = list(tree.iter("head"))
    if len(heads) != 1:
        return None, None  # no <head>, or several: trafilatura's own reading decides
    metas = list(heads[0].iterchildren("meta"))
    title = url = None
    for meta in metas:  # OpenGraph first; the last usable og:title / og:url wins
        prop, content = meta.get("property"), meta.get("content")
        if prop is not None and prop.startswith("og:") and content and not content.isspace():
            if prop == "og:title":
                title = content
            elif prop == "og:url" and is_valid_url(content):
                url = content
    for meta in metas:  # then the other <meta> tags: the first usable one wins
        content = meta.get("content")
        if content is None:
            continue
        content = HTML_STRIP_TAGS.sub("", content).strip()
        if not content:
            continue
        attrib = meta.attrib
        if "property" in attrib:
            continue
        if "name" in attrib:
            name = attrib["name"].lower()
            if name in METANAME_TITLE:
                title = title or content
            elif name == "twitter:url" and not url and is_valid_url(content):
                url = content
        elif "itemprop" in attrib and attrib["itemprop"].lower() == "headline":
            title = title or content
    return title, url


def _meta_text(value: object) -> str | None:
    """As trafilatura's Document.clean_and_trim()."""
    from trafilatura.utils import line_processing

    if not isinstance(value, str):
        return None
    if len(value) > 10000:
        value = value[:9999] + "\u2026"
    return _clean(line_processing(unescape(value)))


def _unescape(text: str) -> str:
    """Entities the page escaped twice ("&amp;rsquo;"), decoded as trafilatura does."""
    return unescape(text) if "&" in text else text


def _printable(text: str) -> str:
    """Without control and format characters (soft hyphens, zero-width
    spaces ...), as trafilatura cleans its text."""
    if text.isprintable():
        return text
    return "".join(c for c in text if c.isprintable() or c.isspace())


def _quick_extract(tree) -> list[str] | int | None:
    """The story's blocks when the page has one clear story container;
    otherwise the amount of paragraph text on the page (a hint for the
    fallback), or None when the page has no <body>."""
    body = tree.find("body")
    if body is None:
        return None
    for find in (_article_bodies, _articles, _mains):
        found = []
        for container in _outermost(find(tree)):
            if _skip(container) or _inside_furniture(container) or _holds_several_articles(container):
                continue
            blocks = _Blocks()
            blocks.walk(container)
            if blocks.qualifies():
                found.append((container, blocks))
        if len(found) > 1:
            # e.g. the story and a long comment (WordPress marks comments up as <article>s):
            # keep the ones not inside a comments/related/... block
            found = [(c, b) for c, b in found if not _inside_boilerplate(c)]
        if len(found) > 1:
            break  # several stories (a listing, a live page): not for the quick path
        if found:
            container, blocks = found[0]
            blocks = _story_body(container, blocks)
            page_chars = _paragraph_chars(body, keep=set(container.iterancestors()))
            if blocks.p_chars >= QUICK_MIN_PAGE_SHARE * page_chars:
                return blocks.lines
            return page_chars
    return _paragraph_chars(body)


def _story_body(container, blocks: "_Blocks") -> "_Blocks":
    """The blocks of the story-body elements in the container (class
    "article-body", "entry-content" ...) when they hold most of its text,
    which leaves out what the page puts between story and footer (reader
    comments, author boxes ...) under names nobody can guess. All of them,
    not only the first: bodies split around ads and embeds stay whole."""
    global _BODY_XPATH
    from lxml.etree import XPath

    if _BODY_XPATH is None:
        _BODY_XPATH = XPath(_BODY_XPATH_SOURCE, namespaces={"re": "http://exslt.org/regular-expressions"})
    inner = [el for el in _outermost(_BODY_XPATH(container)) if not _skipped_below(el, container)]
    if not inner:
        return blocks
    body = _Blocks()
    for el in inner:
        body.walk(el)
    if body.qualifies() and body.p_chars >= BODY_MIN_SHARE * blocks.p_chars:
        return body
    return blocks


def _holds_several_articles(container) -> bool:
    """A listing: two or more <article>s with paragraphs inside (teasers in
    a related/comments block do not count)."""
    found = 0
    for article in container.iter("article"):
        if article is not container and article.find(".//p") is not None and not _skipped_below(article, container):
            found += 1
            if found > 1:
                return True
    return False


def _skipped_below(el, top) -> bool:
    """el or one of its ancestors below top is skipped."""
    while el is not None and el is not top:
        if _skip(el):
            return True
        el = el.getparent()
    return False


def _article_bodies(tree) -> list:
    return tree.xpath('//*[@itemprop][contains(concat(" ", normalize-space(@itemprop), " "), " articleBody ")]')


def _articles(tree) -> list:
    return list(tree.iter("article"))


def _mains(tree) -> list:
    return tree.xpath('//main|//*[@role="main"]')


def _outermost(elements: list) -> list:
    if len(elements) < 2:
        return elements
    chosen = set(elements)
    return [el for el in elements if not any(a in chosen for a in el.iterancestors())]


def _inside_furniture(el) -> bool:
    """Inside a <nav>, <aside>, <footer> ..., a hidden element or a navigation role."""
    return any(a.tag in _FURNITURE_TAGS or _hidden_or_role(a) for a in el.iterancestors())


def _inside_boilerplate(el) -> bool:
    """Also inside an element whose class or id names boilerplate (<body> and <html> aside)."""
    for ancestor in el.iterancestors():
        if ancestor.tag in ("body", "html"):
            return False
        if _skip(ancestor):
            return True
    return False


def _style_hidden(el) -> bool:
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE_RE.search(style))


def _hidden_or_role(el) -> bool:
    attrib = el.attrib
    if not attrib:
        return False
    if "hidden" in attrib or attrib.get("aria-hidden", "").strip().lower() == "true":
        return True
    role = attrib.get("role")
    if role and role.strip().lower() in _SKIP_ROLES:
        return True
    return _style_hidden(el)


def _skip(el, inline: bool = False) -> int:
    """_NEVER for content that is never text (scripts, forms fields, media),
    _BOILERPLATE for page furniture and hidden or boilerplate-named elements,
    else _KEEP. Inside a paragraph (inline) class names only count when they
    say hidden/screen-reader text: a <span class="share-quote"> is text."""
    tag = el.tag
    if not isinstance(tag, str):  # comments, processing instructions, entities
        return _NEVER
    if tag in _NEVER_TAGS:
        return _NEVER
    if tag in _FURNITURE_TAGS:
        return _BOILERPLATE
    return _skip_by_attributes(el, inline)


def _skip_by_attributes(el, inline: bool = False) -> int:
    attrib = el.attrib
    if not attrib:
        return _KEEP
    if _hidden_or_role(el):
        return _BOILERPLATE
    for name in ("class", "id"):
        value = attrib.get(name)
        if value and _boilerplate_name(value, inline):
            return _BOILERPLATE
    return _KEEP


@lru_cache(maxsize=8192)
def _boilerplate_name(value: str, inline: bool) -> bool:
    for token in value.lower().split():
        if token in _BOILERPLATE_TOKENS:
            return True
        if not inline and not _BOILERPLATE_WORDS.isdisjoint(_NAME_SPLIT_RE.split(token)):
            return True
    return False


def _p_chars(p) -> int:
    return len(" ".join(p.text_content().split()))


def _paragraph_chars(root, keep: set | None = None) -> int:
    """Characters of <p> text under root, boilerplate skipped (but not the
    elements in keep: the ancestors of the story, whatever their names)."""
    total = 0
    stack = [root]
    while stack:
        el = stack.pop()
        for child in el:
            if _skip(child) and not (keep and child in keep):
                continue
            if child.tag == "p":
                total += _p_chars(child)
            else:
                stack.append(child)
    return total


class _Blocks:
    """The text blocks of a container in document order, with the counts
    that decide whether the quick path may take them."""

    __slots__ = (
        "lines", "p_count", "p_chars", "kept_chars", "loose_chars", "skipped_p_chars", "link_headings", "unsupported"
    )

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.p_count = 0
        self.p_chars = 0
        self.kept_chars = 0  # text taken (blocks)
        self.loose_chars = 0  # text outside any block (bare text in <div>s, datelines, ...)
        self.skipped_p_chars = 0  # <p> text in skipped parts (asides, hidden or boilerplate-named)
        self.link_headings = 0  # headings dropped as links (teaser cards)
        self.unsupported = False  # a <table> or <pre>

    def qualifies(self) -> bool:
        if self.unsupported or self.p_count < QUICK_MIN_PARAGRAPHS or self.p_chars < QUICK_MIN_CHARS:
            return False
        if self.skipped_p_chars > QUICK_MAX_SKIPPED * self.p_chars:
            return False  # e.g. half the story in <div class="paywall" hidden>
        return self.kept_chars >= QUICK_MIN_COVERAGE * (self.kept_chars + self.loose_chars)

    def walk(self, el, in_link: bool = False) -> None:
        text = el.text
        if text and not text.isspace():
            self.loose_chars += len(text.strip())
        for child in el:
            skip = _skip(child)
            if skip == _BOILERPLATE and child.tag == "header":
                skip = _skip_by_attributes(child)  # the story's own header: headline, standfirst, byline
            if skip == _BOILERPLATE:
                if not _style_hidden(child):  # trafilatura drops display:none as well
                    self.skipped_p_chars += sum(_p_chars(p) for p in child.iter("p"))
                    if child.tag == "figure" and child.find(".//table") is not None:
                        self.unsupported = True  # a data table in a <figure>
            elif skip == _KEEP:
                tag = child.tag
                if tag == "p" or tag in _HEADINGS:
                    self.block(child, tag, in_link)
                elif tag == "li":
                    self.block(child, tag, in_link)
                    for sub in _nested_lists(child):
                        self.walk(sub, in_link)
                elif tag == "blockquote" and child.find(".//p") is None:
                    self.block(child, tag, in_link)
                elif tag in _UNSUPPORTED:
                    self.unsupported = True
                else:
                    mark = (len(self.lines), self.p_count, self.p_chars, self.kept_chars, self.loose_chars,
                            self.link_headings)
                    self.walk(child, in_link or tag == "a")
                    if self.link_headings > mark[5] and self.p_chars - mark[2] <= TEASER_MAX_CHARS:
                        # a teaser card or a list of them: linked headline(s) and a summary
                        del self.lines[mark[0]:]
                        self.p_count, self.p_chars, self.kept_chars, self.loose_chars = mark[1:5]
            tail = child.tail
            if tail and not tail.isspace():
                self.loose_chars += len(tail.strip())

    def block(self, el, tag: str, in_link: bool) -> None:
        parts: list[str] = []
        link_chars = _inline_text(el, parts, in_link, tag == "li")
        lines = [" ".join(_printable(line).split()) for line in _unescape("".join(parts)).split(_BREAK)]
        lines = [line for line in lines if line]
        size = sum(len(line) for line in lines)
        if not size:
            return
        if link_chars >= LINK_DENSE * size:  # "Read more: <a>...</a>", a list of links, a card
            if tag in _HEADINGS:
                self.link_headings += 1
            return
        lines = [line for line in lines if not _FURNITURE_RE.match(line)]
        if not lines:
            return
        if tag == "li":
            lines[0] = f"- {lines[0]}"
        self.lines.extend(lines)
        size = sum(len(line) for line in lines)
        self.kept_chars += size
        if tag == "p":
            self.p_count += 1
            self.p_chars += size


def _nested_lists(item) -> list:
    """The outermost <ul>/<ol> inside a list item (skipped parts left out)."""
    found = []
    stack = list(item)
    while stack:
        el = stack.pop(0)
        if _skip(el):
            continue
        if el.tag in _LISTS:
            found.append(el)
        else:
            stack[:0] = list(el)
    return found


def _inline_text(el, parts: list[str], in_link: bool, skip_lists: bool) -> int:
    """Append the text of el to parts (a <br> or a nested block starts a new
    line: _BREAK); return the number of characters of link text."""
    link_chars = 0
    text = el.text
    if text:
        parts.append(text)
        if in_link:
            link_chars += len(text.strip())
    for child in el:
        tag = child.tag
        if tag == "br":
            parts.append(_BREAK)
        elif skip_lists and tag in _LISTS:
            pass  # nested list: its items are blocks of their own
        elif not _skip(child, inline=True):
            child_link = in_link or tag == "a"
            if tag in _HEADINGS or tag == "p" or tag == "li" or tag == "div":
                parts.append(_BREAK)
                link_chars += _inline_text(child, parts, child_link, skip_lists)
                parts.append(_BREAK)
            else:
                link_chars += _inline_text(child, parts, child_link, skip_lists)
        tail = child.tail
        if tail:
            parts.append(tail)
            if in_link:
                link_chars += len(tail.strip())
    return link_chars


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def _paragraphs(text: str | None) -> list[str]:
    if not text:
        return []
    return [line.strip() for line in normalise_newlines(text).split("\n") if line.strip()]


def _has_sentence(paragraphs: list[str]) -> bool:
    return any(len(p.split()) >= MIN_SENTENCE_WORDS for p in paragraphs)


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()
