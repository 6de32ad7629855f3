"""Tests of raidwatch.ingest: files in tmp_path -> Documents or IngestErrors."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import raidwatch.ingest as ingest
from raidwatch.ingest import MAX_BYTES, IngestError, iter_sources, read, read_all
from raidwatch.ingest.text import date_from_line, find_title
from raidwatch.model import Document

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus"


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8"))
    return path


def only_doc(results: list) -> Document:
    assert len(results) == 1, results
    assert isinstance(results[0], Document), results[0]
    return results[0]


def only_error(results: list) -> IngestError:
    assert len(results) == 1, results
    assert isinstance(results[0], IngestError), results[0]
    return results[0]


ARTICLE_TXT = (
    "Police raid six flats in Cardiff city centre\n"
    "Published: 3 May 2024, 09:15\n"
    "\n"
    "Three women were detained by immigration officers after police raided six flats.\n"
    "\n"
    "A 36-year-old man was arrested on suspicion of controlling prostitution for gain.\n"
)


# --------------------------------------------------------------------------
# .txt
# --------------------------------------------------------------------------

def test_txt_title_date_and_text_kept_verbatim(tmp_path):
    path = write(tmp_path / "cardiff-raid.txt", ARTICLE_TXT)
    doc = only_doc(read(path))
    assert doc.text == ARTICLE_TXT
    assert doc.title == "Police raid six flats in Cardiff city centre"
    assert doc.text.startswith(doc.title)  # offset 0 is the start of the file
    assert doc.published == "2024-05-03"
    assert doc.source_id == "cardiff-raid"
    assert doc.source_path == str(path)
    assert doc.url is None
    assert doc.language == "en"
    assert doc.content_hash and len(doc.content_hash) == 64


def test_txt_bom_and_crlf_are_the_only_changes(tmp_path):
    raw = "\ufeff" + ARTICLE_TXT.replace("\n", "\r\n") + "  trailing spaces stay  \r\n"
    doc = only_doc(read(write(tmp_path / "crlf.txt", raw)))
    assert doc.text == ARTICLE_TXT + "  trailing spaces stay  \n"
    start = doc.text.index("A 36-year-old")
    assert doc.text[start:start + 13] == "A 36-year-old"
    assert doc.published == "2024-05-03"


def test_txt_without_headline_or_date(tmp_path):
    body = (
        "Holyrood has hosted a UK-wide trafficking summit, full of police and prosecutors, "
        "plus representatives of the women's sector.\n"
        "\n"
        "The consensus was almost complete but attending as a sex worker left me with an anxious "
        "sense that no-one else seemed to have spotted some crucial problems.\n"
    )
    doc = only_doc(read(write(tmp_path / "essay.txt", body)))
    assert doc.title is None
    assert doc.published is None
    assert doc.text == body


def test_txt_date_is_only_taken_from_the_first_lines(tmp_path):
    lines = ["Headline about a raid"] + [f"Paragraph {i} with words in it." for i in range(8)]
    lines.append("March 12, 2024")
    doc = only_doc(read(write(tmp_path / "late-date.txt", "\n".join(lines))))
    assert doc.title == "Headline about a raid"
    assert doc.published is None


@pytest.mark.parametrize(
    "line, expected",
    [
        ("March 12, 2024", "2024-03-12"),
        ("Published: 22 September 2023, 11:02", "2023-09-22"),
        ("Updated: 6:14 PM CDT May 18, 2023", "2023-05-18"),
        ("Posted Feb 21, 2025 4:32 PM EST", "2025-02-21"),
        ("Published: Mar. 12, 2024 at 5:47 PM EDT", "2024-03-12"),
        ("Last updated: 19 October 2018 11:40 CET", "2018-10-19"),
        ("Friday, 16 April 2021", "2021-04-16"),
        ("12/03/2024", "2024-12-03"),  # month first, as dateparser reads English
        ("2024-03-12", "2024-03-12"),
        ("2024-03-12T10:00:00Z", "2024-03-12"),
        ("Published 3 May 2024 | Updated 4 May 2024", "2024-05-03"),
        ("Tavares, Florida \u2014 March 12, 2024", "2024-03-12"),
        ("By Jason Pike", None),
        ("FOR IMMEDIATE RELEASE", None),
        ("Oct. 14", None),  # no year
        ("March 2024", None),  # no day
        ("Police raid on March 12, 2024 nets 40 arrests", None),  # a headline, not a date line
        ("31/02/2024", None),
        ("Published " + "x" * 80 + " March 12, 2024", None),  # too long
    ],
)
def test_date_lines(line, expected):
    assert date_from_line(line) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("HPD: 58 arrested in crackdown\nMay 18, 2023\n", "HPD: 58 arrested in crackdown"),
        ("\n\n  Is this the end of the raids?  \n\nBody.", "Is this the end of the raids?"),
        ("Police raid flats in St. Louis.\nBy A. Writer\n\nBody.", "Police raid flats in St. Louis."),
        ("Police raided six flats on Tuesday, officers said.\n\nMore text follows here.", None),
        ("March 12, 2024\n\nBody text here.", None),
        ("The raid began when officers arrived and they said:\nquote follows", None),
        ("x" * 201 + "\n", None),
    ],
)
def test_titles(text, expected):
    assert find_title(text) == expected


# --------------------------------------------------------------------------
# Errors common to all kinds
# --------------------------------------------------------------------------

def test_binary_file(tmp_path):
    path = write(tmp_path / "photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    err = only_error(read(path))
    assert err.path == str(path)
    assert "binary file" in err.reason
    assert "offset 8" in err.reason


@pytest.mark.parametrize("suffix", [".txt", ".html", ".json", ".jsonl"])
def test_empty_file(tmp_path, suffix):
    err = only_error(read(write(tmp_path / f"empty{suffix}", b"")))
    assert err.reason == "empty file"


@pytest.mark.parametrize("suffix", [".txt", ".html", ".json", ".jsonl"])
def test_whitespace_only_file(tmp_path, suffix):
    err = only_error(read(write(tmp_path / f"blank{suffix}", b" \n\t\r\n  \n")))
    assert "empty file" in err.reason


def test_latin1_file(tmp_path):
    path = write(tmp_path / "latin1.txt", "Police raid\nLe caf\u00e9 a \u00e9t\u00e9 ferm\u00e9.\n".encode("latin-1"))
    err = only_error(read(path))
    assert "not UTF-8" in err.reason
    assert "0xe9" in err.reason
    assert "offset 18" in err.reason
    assert "line 2" in err.reason


def test_utf16_file(tmp_path):
    err = only_error(read(write(tmp_path / "utf16.txt", "Police raid".encode("utf-16"))))
    assert "not UTF-8" in err.reason and "UTF-16" in err.reason


def test_oversized_file_is_checked_before_reading(tmp_path, monkeypatch):
    path = write(tmp_path / "big.txt", "word " * 100)  # 500 bytes
    assert read(path, max_bytes=1000)  # fine under a larger limit

    def no_open(*args, **kwargs):
        raise AssertionError("the file must not be opened")

    monkeypatch.setattr(ingest.common, "open", no_open, raising=False)
    err = only_error(read(path, max_bytes=100))
    assert err.reason == "larger than the 100-byte limit (500 bytes)"
    errors = list(read_all([tmp_path], max_bytes=100))
    assert errors == [err]


def test_default_limit_is_five_megabytes(tmp_path):
    assert MAX_BYTES == 5 * 1024 * 1024
    path = tmp_path / "huge.txt"
    with open(path, "wb") as fh:
        fh.truncate(MAX_BYTES + 1)  # sparse, cheap
    err = only_error(read(path))
    assert err.reason == f"larger than the 5 MB limit ({MAX_BYTES + 1} bytes)"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores file permissions")
def test_unreadable_file(tmp_path):
    path = write(tmp_path / "secret.txt", ARTICLE_TXT)
    path.chmod(0)
    try:
        err = only_error(read(path))
    finally:
        path.chmod(0o644)
    assert err.reason == "Permission denied"


def test_os_error_while_reading(tmp_path, monkeypatch):
    path = write(tmp_path / "flaky.txt", ARTICLE_TXT)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(ingest.common, "open", refuse, raising=False)
    err = only_error(read(path))
    assert err == IngestError(str(path), "Permission denied")


def test_unsupported_suffix_given_directly(tmp_path):
    path = write(tmp_path / "report.pdf", b"%PDF-1.7")
    err = only_error(read(path))
    assert err.reason == "unsupported file type '.pdf' (supported: .txt, .html, .htm, .json, .jsonl)"
    err = only_error(list(read_all([path])))
    assert "unsupported file type '.pdf'" in err.reason
    err = only_error(read(write(tmp_path / "README", b"hello")))
    assert "unsupported file type (no file extension" in err.reason


def test_suffix_is_case_insensitive(tmp_path):
    doc = only_doc(read(write(tmp_path / "SHOUT.TXT", ARTICLE_TXT)))
    assert doc.source_id == "SHOUT"


def test_nothing_escapes_read(tmp_path, monkeypatch):
    def broken(path, max_bytes):
        raise RuntimeError("boom")

    monkeypatch.setitem(ingest.READERS, ".txt", broken)
    err = only_error(read(write(tmp_path / "a.txt", ARTICLE_TXT)))
    assert "unexpected error" in err.reason and "RuntimeError: boom" in err.reason


# --------------------------------------------------------------------------
# .html / .htm
# --------------------------------------------------------------------------

ARTICLE_HTML = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>Police raid six flats in Cardiff | Example News</title>
<meta property="og:title" content="Police raid six flats in Cardiff">
<meta property="article:published_time" content="2024-05-03T09:15:00+01:00">
<link rel="canonical" href="https://news.example.org/wales/cardiff-raids">
</head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li></ul></nav>
<article>
<h1>Police raid six flats in Cardiff</h1>
<p>Three women have been detained by immigration officers and a man has been arrested after
police raided six short-let apartments in Cardiff city centre on Wednesday 1 May 2024.</p>
<p>South Wales Police officers, supported by Home Office Immigration Enforcement, executed
warrants at the apartments after an investigation into online adverts.</p>
<p>A 36-year-old man was arrested on suspicion of controlling prostitution for gain, the force said.</p>
</article>
<footer><p>Copyright 2024 Example News. All rights reserved.</p><a href="/privacy">Privacy policy</a></footer>
</body>
</html>
"""


def test_html_article(tmp_path):
    path = write(tmp_path / "cardiff.html", ARTICLE_HTML)
    doc = only_doc(read(path))
    assert doc.title == "Police raid six flats in Cardiff"
    assert doc.text.startswith("Police raid six flats in Cardiff\n\nThree women have been detained")
    assert doc.text.count("Police raid six flats in Cardiff") == 1  # the <h1> is not repeated
    paragraphs = doc.text.split("\n\n")
    assert len(paragraphs) == 4
    assert paragraphs[3] == (
        "A 36-year-old man was arrested on suspicion of controlling prostitution for gain, the force said."
    )
    for noise in ("Sport", "Weather", "Copyright", "Privacy policy"):
        assert noise not in doc.text
    assert "Home" not in paragraphs
    assert doc.published == "2024-05-03"  # from <meta>, not the raid date in the text
    assert doc.url == "https://news.example.org/wales/cardiff-raids"
    assert doc.language == "en"
    assert doc.source_id == "cardiff"
    assert doc.source_path == str(path)


def test_htm_with_title_tag_only_and_date_line(tmp_path):
    page = (
        "<html><head><title>Four men arrested in Leeds raid | Example News</title></head><body>"
        "<div class='menu'><a href='/'>Home</a> <a href='/news'>News</a></div>"
        "<div class='story'><p>Published 3 May 2024</p>"
        "<p>Police in Leeds arrested four men on Tuesday after a raid on a house in Harehills, "
        "officers said. The operation followed complaints from neighbours.</p>"
        "<p>A spokesperson said inquiries were continuing.</p></div></body></html>"
    )
    doc = only_doc(read(write(tmp_path / "leeds.htm", page)))
    assert doc.title == "Four men arrested in Leeds raid"
    assert doc.text.startswith("Four men arrested in Leeds raid\n\n")
    assert "Police in Leeds arrested four men" in doc.text
    assert doc.published == "2024-05-03"
    assert doc.url is None


def test_html_date_in_body_text_is_not_the_publication_date(tmp_path):
    # trafilatura's "extensive" date search would return 2021-05-03 here.
    page = (
        "<html><head><title>Raid</title></head><body><article><p>Police in Leeds arrested four men "
        "after a raid on a house in Harehills on 3 May 2021, officers said. The operation followed "
        "complaints from neighbours about visitors at night.</p></article></body></html>"
    )
    doc = only_doc(read(write(tmp_path / "nodate.html", page)))
    assert doc.published is None


def test_html_without_article_text(tmp_path):
    page = (
        "<html><head><title>Only a title</title></head><body><nav><ul>"
        "<li><a href='/'>Home</a></li><li><a href='/n'>News</a></li><li><a href='/s'>Sport</a></li>"
        "</ul></nav></body></html>"
    )
    err = only_error(read(write(tmp_path / "menu.html", page)))
    assert err.reason == "no article text found in the HTML"


def test_html_in_declared_legacy_charset(tmp_path):
    page = (
        "<html><head><meta charset='windows-1252'><title>Caf\u00e9 closed after raid</title></head>"
        "<body><article><p>The caf\u00e9 on the high street was closed by the council after a police "
        "raid on Tuesday, officers said.</p></article></body></html>"
    )
    doc = only_doc(read(write(tmp_path / "legacy.html", page.encode("cp1252"))))
    assert doc.title == "Caf\u00e9 closed after raid"
    assert "The caf\u00e9 on the high street" in doc.text
    undeclared = page.replace("<meta charset='windows-1252'>", "").encode("cp1252")
    err = only_error(read(write(tmp_path / "undeclared.html", undeclared)))
    assert "not UTF-8" in err.reason and "0xe9" in err.reason


# --------------------------------------------------------------------------
# .html: the quick path (lxml) and the trafilatura fallback
# --------------------------------------------------------------------------

import raidwatch.ingest.html as html_reader  # noqa: E402


@pytest.fixture
def trafilatura_calls(monkeypatch):
    """The `fast` flag of every trafilatura call parse_html makes."""
    calls = []
    real = html_reader._bare_extraction

    def spy(page, fast):
        calls.append(fast)
        return real(page, fast)

    monkeypatch.setattr(html_reader, "_bare_extraction", spy)
    return calls


STORY_PAGE = """<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="utf-8">
<title>Deputies arrest 14 in Polk County sting &#8211; Action News</title>
<meta property="og:title" content="Deputies arrest 14 in Polk County sting">
<meta property="og:url" content="https://news.example.com/local/polk-sting">
<meta property="article:published_time" content="2024-03-14T17:42:10+00:00">
<style>.story p { margin: 0 } .STYLE_IN_HEAD {}</style>
<script>var SCRIPT_IN_HEAD = {ads: true};</script>
</head>
<body>
<div id="cookie-consent" class="cookie-banner" role="dialog"><p>We use cookies to personalise content
and ads and to analyse our traffic. By clicking Accept you agree to our use of cookies.</p>
<button>Accept all</button></div>
<header class="site-header"><nav><ul><li><a href="/">Home</a></li><li><a href="/weather">Weather</a></li>
<li><a href="/sports">Sports</a></li></ul></nav></header>
<main>
<article class="post">
<header class="entry-header">
<h1>Deputies arrest 14 in Polk County sting</h1>
<div class="byline">By <a href="/staff/dana">Dana Whitfield</a>, staff writer</div>
<time datetime="2024-03-14T17:42:10+00:00">March 14, 2024</time>
</header>
<div class="entry-content">
<p><strong>LAKELAND, Fla.</strong> &mdash; Fourteen people were arrested during a three-day undercover
operation, Sheriff Grady Judd announced&nbsp;Thursday.</p>
<p>Detectives posed as sex workers on websites &amp; apps and arranged meetings at a hotel off
Interstate 4, the sheriff&rsquo;s office said.<script>document.write("SCRIPT_IN_TEXT")</script></p>
<style>.STYLE_IN_BODY { color: red }</style>
<div class="ad-container"><p>Advertisement</p><div id="gpt-ad-1"></div></div>
<p><strong>Read more:</strong> <a href="/local/earlier-sting">Polk sting nets 20 arrests in January</a></p>
<p>Eleven men were charged with soliciting prostitution and three women with offering to commit
prostitution. The caf&eacute; owner who rented rooms was not charged.</p>
<h2>Who was arrested</h2>
<ul>
<li>Mark Ellison, 44, of Lakeland, soliciting prostitution</li>
<li>Robert Haines, 37, of Winter Haven, soliciting prostitution</li>
</ul>
<p>Anyone with information is asked to call the sheriff&rsquo;s office<br>or Crime Stoppers at
1-800-226-8477.</p>
<noscript><p>NOSCRIPT_TEXT: please enable JavaScript.</p></noscript>
<div class="share-tools"><p>Share this story on Facebook, X or by email with your friends.</p></div>
</div>
</article>
<section class="related-stories"><h2>More local news</h2>
<article class="card"><h3><a href="/a">School board approves new calendar</a></h3>
<p>The board voted 5-2 on Tuesday to move the first day of school to August 12.</p></article>
<article class="card"><h3><a href="/b">Two hurt in crash on I-4</a></h3>
<p>Two people were taken to hospital after a crash closed the eastbound lanes.</p></article>
</section>
<div id="comments" class="comments-area"><h2>2 comments</h2>
<article class="comment"><p>Good job sheriff, keep it up. These operations make the neighbourhood
safer for all of us.</p>
<p>Do more of them near the schools and the parks, and print every name in the paper.</p>
<p>My family has lived here for thirty years and it has never been this bad on our street.</p></article>
<article class="comment"><p>Arresting consenting adults does nothing about real trafficking.</p></article>
</div>
</main>
<aside class="sidebar"><h2>Trending</h2><ol><li><a href="/c">Beachside restaurant closes</a></li></ol></aside>
<footer class="site-footer"><p>&copy; 2024 Action News. All rights reserved.</p>
<a href="/privacy">Privacy policy</a></footer>
<script>window.SCRIPT_AT_END = 1;</script>
</body>
</html>
"""

STORY_TEXT = "\n\n".join([
    "Deputies arrest 14 in Polk County sting",
    "LAKELAND, Fla. \u2014 Fourteen people were arrested during a three-day undercover operation, "
    "Sheriff Grady Judd announced Thursday.",  # &nbsp; is a space
    "Detectives posed as sex workers on websites & apps and arranged meetings at a hotel off Interstate 4, "
    "the sheriff\u2019s office said.",
    "Eleven men were charged with soliciting prostitution and three women with offering to commit "
    "prostitution. The caf\u00e9 owner who rented rooms was not charged.",
    "Who was arrested",
    "- Mark Ellison, 44, of Lakeland, soliciting prostitution",
    "- Robert Haines, 37, of Winter Haven, soliciting prostitution",
    "Anyone with information is asked to call the sheriff\u2019s office",  # a <br>
    "or Crime Stoppers at 1-800-226-8477.",
])

NEVER_IN_TEXT = (
    "SCRIPT_", "STYLE_", "NOSCRIPT", "cookies", "Home", "Weather", "Advertisement", "Read more",
    "Polk sting nets", "Share this", "School board", "Two hurt", "Good job", "consenting adults",
    "Trending", "Beachside", "All rights reserved", "Privacy", "Dana Whitfield",
)


def test_html_quick_path_takes_the_story_blocks(tmp_path, trafilatura_calls):
    path = write(tmp_path / "polk.html", STORY_PAGE)
    doc = only_doc(read(path))
    assert trafilatura_calls == []  # lxml only
    assert doc.text == STORY_TEXT
    assert doc.title == "Deputies arrest 14 in Polk County sting"
    assert doc.published == "2024-03-14"
    assert doc.url == "https://news.example.com/local/polk-sting"
    assert doc.language == "en"
    assert (doc.source_id, doc.source_path) == ("polk", str(path))
    for noise in NEVER_IN_TEXT:
        assert noise not in doc.text, noise


def paragraphs_html(n: int = 4, date_line: str = "") -> str:
    sentences = [
        "Police in Leeds arrested four men after a raid on a house in Harehills, officers said on Friday.",
        "The operation followed months of complaints from neighbours about visitors arriving late at night.",
        "Three women found at the address were taken to a place of safety and offered support by a charity.",
        "The men, aged between 24 and 51, were released on bail while inquiries continue, the force said.",
        "A closure order on the house will be sought from magistrates next week, a spokesperson added.",
    ]
    return date_line + "".join(f"<p>{s}</p>\n" for s in sentences[:n])


CLEAN_PAGE = f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">
<title>Four men arrested in Leeds raid | Example News</title>
<meta property="og:title" content="Four men arrested in Leeds raid">
<link rel="canonical" href="https://news.example.org/leeds/raid">
<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "Four men arrested in Leeds raid",
"datePublished": "2024-05-03"}}</script>
<script>var x = "SCRIPT_TEXT";</script></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<article><h1>Four men arrested in Leeds raid</h1>
{paragraphs_html(5)}</article>
<aside><h2>Most read</h2><ul><li><a href="/1">Bus route axed</a></li></ul></aside>
<footer><p>Copyright 2024 Example News. All rights reserved.</p></footer></body></html>
"""


def test_html_quick_path_gives_what_trafilatura_gives_on_a_clean_page(trafilatura_calls):
    quick = html_reader.parse_html(CLEAN_PAGE, source_id="leeds")
    assert trafilatura_calls == []
    slow = html_reader._trafilatura_document(CLEAN_PAGE, 0, "leeds", None, "leeds")
    assert trafilatura_calls == [False]
    assert quick == slow
    assert quick.published == "2024-05-03"
    assert quick.url == "https://news.example.org/leeds/raid"
    assert len(quick.text.split("\n\n")) == 6


def article_page(body: str, head: str = "", lang: str = "en") -> str:
    return (
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>Four men arrested in Leeds raid"
        f"</title>{head}<style>.STYLE_TEXT{{}}</style></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/sport'>Sport</a></nav>"
        f"{body}<footer><p>Copyright 2024 Example News. All rights reserved.</p></footer>"
        "<script>var SCRIPT_TEXT = 1;</script></body></html>"
    )


@pytest.mark.parametrize(
    "head, date_line, expected",
    [
        ("", "", None),  # only the raid date in the text ("on 3 May 2021" below)
        ("<meta property='article:published_time' content='2024-05-03T09:15:00+01:00'>", "", "2024-05-03"),
        ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-05-04"}</script>',
         "", "2024-05-04"),
        ("", "<time datetime='2024-05-05T08:00:00Z'>5 May 2024</time>", "2024-05-05"),
    ],
)
def test_html_quick_path_dates_come_from_markup(tmp_path, trafilatura_calls, head, date_line, expected):
    body = paragraphs_html(4, date_line).replace("Harehills,", "Harehills on 3 May 2021,")
    doc = only_doc(read(write(tmp_path / "dated.html", article_page(f"<article>{body}</article>", head))))
    assert trafilatura_calls == []
    assert doc.published == expected
    assert doc.text.startswith("Four men arrested in Leeds raid\n\nPolice in Leeds arrested four men")


SIDEBAR_BOX = (  # long enough for the quick path, but not most of the page's text
    "<div class='col-side'><article class='box'><h3>About us</h3>"
    "<p>The Example News has covered the courts, councils and communities of the city since 1868.</p>"
    "<p>Our reporters sit in court every day so that you know what is happening where you live.</p>"
    "<p>We are an independent newsroom funded by our readers, and we rely on your contributions.</p>"
    "<p>Every contribution, however big or small, keeps reporters in court and in council meetings.</p>"
    "<p>You can cancel at any time, and every supporter gets our weekly newsletter from the editor.</p>"
    "</article></div>"
)
PAYWALLED = "".join(f"<p>{s}</p>" for s in (
    "Prosecutors later dropped the charges against two of the men, citing a lack of evidence.",
    "Neighbours said the house had been empty for most of the year before the visitors started.",
    "The landlord, who lives abroad, said through a lawyer that he had not known about the brothel.",
    "Support workers said the women had been moved between several addresses in the north of England.",
    "The force said it had made more than forty arrests for similar offences in the last two years.",
))


def two_stories(paragraphs: int) -> str:
    return (
        f"<main><article class='teaser'>{paragraphs_html(paragraphs)}</article>"
        f"<article class='teaser'>{paragraphs_html(paragraphs).replace('Leeds', 'York')}</article></main>"
    )



@pytest.mark.parametrize(
    "body, story",
    [
        pytest.param(f"<div id='content'><div class='text'>{paragraphs_html(5)}</div></div>",
                     "Police in Leeds arrested four men", id="no-story-container"),
        pytest.param(f"<article>{paragraphs_html(2)}</article>", "Police in Leeds arrested four men",
                     id="too-little-text"),
        pytest.param("<article><div class='story'>" + "<br><br>".join(
            paragraphs_html(5).replace("<p>", "").split("</p>\n")) + "</div></article>",
            "The operation followed months of complaints", id="text-outside-paragraphs"),
        pytest.param(f"<article>{paragraphs_html(5)}<table><tr><td>Name</td><td>Age</td></tr>"
                     "<tr><td>John Smith</td><td>34</td></tr></table></article>", "John Smith", id="table"),
        pytest.param(two_stories(5), "Police in Leeds arrested four men", id="several-stories"),
        pytest.param(two_stories(4), "Police in Leeds arrested four men", id="main-holding-several-short-stories"),
        pytest.param(f"<div class='col-main'>{paragraphs_html(5)}{PAYWALLED}</div>{SIDEBAR_BOX}",
                     "Police in Leeds arrested four men", id="article-is-a-sidebar-box"),
        pytest.param(f"<article>{paragraphs_html(5)}<div class='paywall' hidden>{PAYWALLED}</div></article>",
                     "Prosecutors later dropped", id="rest-of-story-hidden-behind-paywall"),
    ],
)
def test_html_falls_back_to_trafilatura(tmp_path, trafilatura_calls, body, story):
    doc = only_doc(read(write(tmp_path / "page.html", article_page(body))))
    assert trafilatura_calls  # the quick path declined
    assert story in doc.text
    assert doc.title == "Four men arrested in Leeds raid"
    for noise in ("SCRIPT_TEXT", "STYLE_TEXT", "Sport", "All rights reserved"):
        assert noise not in doc.text, noise


def test_html_fallback_uses_fast_mode_on_long_pages(tmp_path, trafilatura_calls):
    long_text = paragraphs_html(5) * 3
    doc = only_doc(read(write(tmp_path / "long.html", article_page(f"<div class='story'>{long_text}</div>"))))
    assert trafilatura_calls == [True]
    assert "Police in Leeds arrested four men" in doc.text
    short = only_doc(read(write(tmp_path / "short.html", article_page(f"<div>{paragraphs_html(2)}</div>"))))
    assert trafilatura_calls == [True, False]  # little paragraph text: the full cascade at once
    assert "Police in Leeds arrested four men" in short.text


def test_html_thin_fast_result_is_redone_with_the_full_cascade(tmp_path, monkeypatch):
    calls = []
    real = html_reader._bare_extraction

    def thin_fast(page, fast):
        calls.append(fast)
        if fast:  # as if fast mode had only found a fragment of the story
            return real("<html><body><article><p>Police in Leeds arrested four men on Friday night."
                        "</p></article></body></html>", fast)
        return real(page, fast)

    monkeypatch.setattr(html_reader, "_bare_extraction", thin_fast)
    long_text = paragraphs_html(5) * 3
    doc = only_doc(read(write(tmp_path / "long.html", article_page(f"<div class='story'>{long_text}</div>"))))
    assert calls == [True, False]
    assert "A closure order on the house" in doc.text


# --------------------------------------------------------------------------
# .jsonl / .json
# --------------------------------------------------------------------------

def test_jsonl_with_bad_lines(tmp_path):
    lines = [
        json.dumps({"text": "First story text.", "title": "First", "url": "https://example.org/1",
                    "published": "2024-03-12T10:00:00Z", "language": "en-US", "id": "story-1"}),
        '{"text": "broken", ',
        json.dumps({"text": "Third story, no id.", "published": "March 5, 2020"}),
        json.dumps({"title": "no text"}),
        "",
        json.dumps({"text": "Sixth story.", "published": "sometime soon", "id": 42}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"text": "   "}),
        json.dumps({"text": "Ninth.", "title": 7}),
        json.dumps({"text": "Line one\r\nline two"}),
    ]
    path = write(tmp_path / "batch.jsonl", "\n".join(lines) + "\n")
    results = read(path)
    docs = [r for r in results if isinstance(r, Document)]
    errors = [r for r in results if isinstance(r, IngestError)]
    assert [d.source_id for d in docs] == ["story-1", "batch-3", "42", "batch-10"]
    first = docs[0]
    assert (first.text, first.title, first.url, first.published, first.language) == (
        "First story text.", "First", "https://example.org/1", "2024-03-12", "en")
    assert docs[1].published == "2020-03-05"
    assert docs[1].title is None
    assert docs[2].published is None  # unparseable date is not an error
    assert docs[3].text == "Line one\nline two"
    assert all(d.source_path == str(path) for d in docs)
    reasons = [e.reason for e in errors]
    assert reasons[0].startswith("line 2: not valid JSON")
    assert reasons[1] == "line 4: missing the required field 'text'"
    assert reasons[2] == "line 7: expected a JSON object, got a list"
    assert reasons[3] == "line 8: 'text' is empty"
    assert reasons[4] == "line 9: 'title' must be a string, got a number"
    assert all(e.path == str(path) for e in errors)


def test_json_list(tmp_path):
    items = [
        {"text": "A raid in Leeds.", "id": "leeds"},
        {"text": ""},
        {"text": "A raid in York.", "published": "2019-02-22"},
    ]
    results = read(write(tmp_path / "items.json", json.dumps(items)))
    assert isinstance(results[0], Document) and results[0].source_id == "leeds"
    assert isinstance(results[1], IngestError) and results[1].reason == "item 2: 'text' is empty"
    assert isinstance(results[2], Document)
    assert (results[2].source_id, results[2].published) == ("items-3", "2019-02-22")


def test_json_single_object(tmp_path):
    doc = only_doc(read(write(tmp_path / "one.json", json.dumps({"text": "Just one.", "title": "One"}))))
    assert (doc.source_id, doc.title, doc.text) == ("one", "One", "Just one.")


@pytest.mark.parametrize(
    "content, words",
    [
        ('{"text": "a"', "not valid JSON"),
        ('{"text": "a"}\n{"text": "b"}\n', ".jsonl"),
        ("42", "expected a JSON object or a list of objects, got a number"),
        ("[]", "no documents"),
        ('{"id": "x"}', "missing the required field 'text'"),
    ],
)
def test_json_errors(tmp_path, content, words):
    err = only_error(read(write(tmp_path / "bad.json", content)))
    assert words in err.reason


# --------------------------------------------------------------------------
# Folders
# --------------------------------------------------------------------------

def make_tree(root: Path) -> None:
    write(root / "b.txt", ARTICLE_TXT)
    write(root / "a" / "z.html", ARTICLE_HTML)
    write(root / "a" / "nested" / "deep.jsonl", json.dumps({"text": "Deep story."}) + "\n")
    write(root / "a-b.json", json.dumps({"text": "Sibling story."}))
    write(root / ".git" / "config.txt", "hidden folder")
    write(root / "a" / ".hidden.txt", "hidden file")
    write(root / "notes.pdf", b"%PDF-1.7")
    write(root / "image.png", b"\x89PNG")


def test_iter_sources_walks_sorted_and_skips_hidden_and_unknown(tmp_path):
    root = tmp_path / "corpus"
    make_tree(root)
    direct = write(tmp_path / "direct.txt", ARTICLE_TXT)
    missing = tmp_path / "missing.txt"
    sources = iter_sources([root, str(direct), missing, root / "b.txt"])
    assert sources == [
        root / "a" / "nested" / "deep.jsonl",
        root / "a" / "z.html",
        root / "a-b.json",
        root / "b.txt",
        direct,
        IngestError(str(missing), "no such file or directory"),
    ]  # root/b.txt given again is listed once


def test_read_all_and_read_of_a_folder(tmp_path):
    root = tmp_path / "corpus"
    make_tree(root)
    missing = tmp_path / "nope"
    results = list(read_all([root, missing]))
    assert [r.source_id for r in results[:4]] == ["deep-1", "z", "a-b", "b"]
    assert results[4] == IngestError(str(missing), "no such file or directory")
    assert [r.source_id for r in read(root)] == ["deep-1", "z", "a-b", "b"]


def test_hidden_file_given_directly_is_read(tmp_path):
    path = write(tmp_path / ".draft.txt", ARTICLE_TXT)
    assert only_doc(list(read_all([path]))).source_id == ".draft"


def test_nothing_found_in_empty_folder(tmp_path):
    assert list(read_all([tmp_path])) == []


# --------------------------------------------------------------------------
# The shared development corpus
# --------------------------------------------------------------------------

def gold_by_id(path: Path) -> dict[str, dict]:
    with open(path, encoding="utf-8") as fh:
        return {rec["id"]: rec for rec in map(json.loads, filter(str.strip, fh))}


@pytest.mark.corpus
@pytest.mark.skipif(not (CORPUS / "dev").is_dir(), reason=f"shared corpus not found at {CORPUS}")
def test_dev_corpus_published_dates_match_gold():
    gold = gold_by_id(CORPUS / "dev" / "dev.gold.jsonl")
    files = sorted((CORPUS / "dev").glob("*.txt"))
    assert len(files) == len(gold)
    for path in files:
        doc = only_doc(read(path))
        expected = gold[doc.source_id]
        assert doc.published == expected["published"], path.name
        assert doc.language == expected["language"], path.name
        first_line = doc.text.split("\n", 1)[0].strip()
        assert doc.title == first_line, path.name
        assert doc.text == path.read_text(encoding="utf-8").removeprefix("\ufeff").replace("\r\n", "\n")


@pytest.mark.corpus
@pytest.mark.skipif(not (CORPUS / "seeds").is_dir(), reason=f"shared corpus not found at {CORPUS}")
def test_seed_documents_have_no_title_or_date():
    gold = gold_by_id(CORPUS / "seeds" / "seeds.gold.jsonl")
    files = sorted((CORPUS / "seeds").glob("*.txt"))
    assert files
    for path in files:
        doc = only_doc(read(path))
        assert doc.published == gold[doc.source_id]["published"] is None, path.name
        assert doc.title is None, path.name
        assert doc.language == "en"
