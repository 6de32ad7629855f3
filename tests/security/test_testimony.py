"""Testimony intake (/testimony) against the real app: sealed storage, no
tracking, metadata-free photos, body limits, CSRF without cookies, rate
limit, languages, and the keys / testimony commands."""
from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from nacl.public import PrivateKey
from PIL import Image

from raidwatch.cli import main as cli_main
from raidwatch.testimony import WrongKey, crypto, load_private_key, load_public_key, open_sealed
from raidwatch.testimony.guard import TokenBucket
from raidwatch.testimony.intake import rows
from raidwatch.testimony.submission import read_payload
from raidwatch.web import create_app

ROOT = Path(__file__).resolve().parents[2]
UA = "ZqTestimonyAgent/7.3 (marker-ua-5521)"
FORWARDED_IP = "203.0.113.177"


# ---------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def keydir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("keys")
    assert cli_main(["keys", "generate", "--out", str(out)]) == 0
    return out


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "raidwatch.sqlite"


def make_client(db: Path, keydir: Path | None, min_age: float = 0.0) -> TestClient:
    key = load_public_key(keydir / "testimony.public") if keydir else None
    app = create_app(db, testimony_public_key=key)
    app.state.testimony.tokens.min_age = min_age
    return TestClient(app, base_url="http://testserver")


@pytest.fixture
def client(db, keydir, monkeypatch) -> TestClient:
    monkeypatch.delenv("RAIDWATCH_TESTIMONY_KEY", raising=False)
    with make_client(db, keydir) as c:
        yield c


def token(client: TestClient, lang: str | None = None) -> str:
    page = client.get("/testimony" + (f"?lang={lang}" if lang else ""))
    assert page.status_code == 200, page.text
    return re.search(r'name="token" value="([^"]+)"', page.text).group(1)


NO_FILE = {"photos": ("", b"", "application/octet-stream")}  # what a browser sends for an empty file input


def post(client: TestClient, data: dict, files=None, headers=None, tok: str | None = "fresh"):
    fields = dict(data)
    if tok == "fresh":
        tok = token(client)
    if tok is not None:
        fields["token"] = tok
    return client.post("/testimony", data=fields, files=files if files is not None else NO_FILE,
                       headers=headers or {})


def stored(client: TestClient) -> list:
    return list(rows(client.app.state.store))


def opened(keydir: Path, client: TestClient) -> list[dict]:
    private = load_private_key(keydir / "testimony.private")
    return [read_payload(open_sealed(private, ct)) for _, _, _, ct in stored(client)]


def jpeg_with_gps(size=(40, 20)) -> bytes:
    img = Image.new("RGB", size, (200, 30, 30))
    img.putpixel((0, 0), (0, 0, 255))
    exif = Image.Exif()
    exif[0x0110] = "MarkerCam-Z9"  # Model
    exif[0x0131] = "MarkerSoft-Q1"  # Software
    exif[0x0112] = 6  # Orientation: rotate 90 to view
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 26.4), 3: "W", 4: (0.0, 7.0, 39.0)}  # GPS IFD
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, keydir):
    """A real `raidwatch serve` with the testimony key; its output captured."""
    work = tmp_path_factory.mktemp("server")
    db, log = work / "served.sqlite", work / "server.log"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "RAIDWATCH_TESTIMONY_KEY"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "raidwatch.cli", "serve", "--db", str(db), "--port", str(port),
             "--testimony-key", str(keydir / "testimony.public")],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=work)
    base = f"http://127.0.0.1:{port}"
    import httpx
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(base + "/favicon.ico", timeout=1)
            break
        except httpx.HTTPError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("raidwatch serve did not start:\n" + log.read_text(errors="replace"))
            time.sleep(0.1)
    yield {"base": base, "port": port, "db": db, "log": log, "proc": proc}
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


# ------------------------------------------------------------------ tests


def test_database_holds_no_plaintext_and_only_the_private_key_opens_it(client, db, keydir, tmp_path):
    answers = {
        "when": "marker-when-8841 a Tuesday night",
        "where": "marker-where-3307 Calle Mayor",
        "what_happened": "marker-story-1919: they broke the door and took our phones. Nos gritaron.",
        "damage": "yes", "damage_details": "marker-damage-6620 the door",
        "detention": "yes", "detention_details": "marker-detention-4471",
        "immigration": "not_sure", "immigration_details": "marker-immigration-2290",
        "press": "yes", "press_details": "marker-press-5513 a TV van",
        "support": "marker-support-7702 a lawyer",
        "role": "witnessed", "quote": "yes",
    }
    response = post(client, answers, files={"photos": ("door.jpg", jpeg_with_gps(), "image/jpeg")})
    assert response.status_code == 200, response.text
    assert "Thank you" in response.text
    client.app.state.store.close()

    markers = [v for k, v in answers.items() if k.endswith(("details", "happened", "when", "where", "support"))]
    markers += ["marker-", "Nos gritaron", "MarkerCam-Z9", "MarkerSoft-Q1"]
    files = [p for p in db.parent.iterdir() if p.name.startswith(db.name)]
    for path in files:
        raw = path.read_bytes()
        for marker in markers:
            for encoded in (marker.encode("utf-8"), marker.encode("utf-16-le")):
                assert encoded not in raw, f"{marker!r} found in {path.name}"

    from raidwatch.store import Store
    with Store.open(db) as store:
        (row_id, received_on, key_id, ciphertext), = rows(store)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", received_on)
    assert key_id == crypto.key_id(load_public_key(keydir / "testimony.public"))
    with pytest.raises(WrongKey):
        open_sealed(PrivateKey.generate(), ciphertext)

    out = tmp_path / "out.jsonl"
    assert cli_main(["testimony", "export", "--key", str(keydir / "testimony.private"), "--db", str(db),
                     "-o", str(out), "--images-dir", str(tmp_path / "photos")]) == 0
    assert out.stat().st_mode & 0o777 == 0o600
    record, = [json.loads(line) for line in out.read_text().splitlines()]
    for name, value in answers.items():
        assert record["answers"][name] == value
    assert record["received_on"] == received_on and record["language"] == "en"
    photo, = record["photos"]
    assert Path(photo["file"]).read_bytes()[:3] == b"\xff\xd8\xff" and "data" not in photo

    other = tmp_path / "other"
    assert cli_main(["keys", "generate", "--out", str(other)]) == 0
    assert cli_main(["testimony", "export", "--key", str(other / "testimony.private"), "--db", str(db)]) == 2


def test_no_address_or_user_agent_in_the_database_or_the_logs(server):
    import httpx
    headers = {"User-Agent": UA, "X-Forwarded-For": FORWARDED_IP, "X-Real-IP": FORWARDED_IP,
               "Forwarded": f"for={FORWARDED_IP}"}
    with httpx.Client(base_url=server["base"], headers=headers) as http:
        tokens = []
        for lang in ("en", "es"):
            page = http.get(f"/testimony?lang={lang}")
            assert page.status_code == 200 and "set-cookie" not in page.headers
            tokens.append(re.search(r'name="token" value="([^"]+)"', page.text).group(1))
        time.sleep(3.2)  # the real server's minimum form age
        for tok in tokens:
            sent = http.post("/testimony", data={"token": tok, "what_happened": f"told by {UA} at {FORWARDED_IP}"},
                             files=NO_FILE)
            assert sent.status_code == 200, sent.text
        assert http.post("/testimony", data={"token": tokens[0], "what_happened": "again"},
                         files=NO_FILE).status_code == 409
        assert http.get("/").status_code == 200  # a page that is logged, to show the log works
    time.sleep(0.3)
    log = server["log"].read_text(errors="replace")
    assert '"GET / HTTP/1.1" 200' in log  # the access log is on
    assert not re.search(r'"[A-Z]+ /testimony', log), log  # no access line for the form
    data = server["db"].read_bytes() + b"".join(
        p.read_bytes() for p in server["db"].parent.glob(server["db"].name + "-*"))
    for needle in (UA, "marker-ua-5521", "ZqTestimonyAgent", FORWARDED_IP):
        assert needle not in log
    for needle in (UA, "marker-ua-5521", "ZqTestimonyAgent", FORWARDED_IP, "127.0.0.1"):
        assert needle.encode() not in data


def test_photo_metadata_is_stripped_and_orientation_applied(client, keydir):
    original = jpeg_with_gps((40, 20))
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the fixture really has GPS
    response = post(client, {"what_happened": "photo of the door"},
                    files=[("photos", ("IMG_20240512_0311.jpg", original, "image/jpeg"))])
    assert response.status_code == 200, response.text
    record, = opened(keydir, client)
    photo, = record["photos"]
    import base64
    data = base64.b64decode(photo["data"])
    img = Image.open(io.BytesIO(data))
    assert img.format == "JPEG" and img.size == (20, 40)  # rotated upright
    assert not img.getexif() and "exif" not in img.info and "icc_profile" not in img.info
    for marker in (b"Exif", b"GPS", b"MarkerCam-Z9", b"MarkerSoft-Q1"):
        assert marker not in data
    assert "IMG_20240512" not in json.dumps(record)  # file names are not kept


def test_body_announced_too_large_is_refused_before_it_is_sent(server):
    with socket.create_connection(("127.0.0.1", server["port"]), timeout=10) as sock:
        sock.sendall(b"POST /testimony HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: multipart/form-data; boundary=xyz\r\n"
                     b"Content-Length: 500000000\r\n\r\n")  # and not one byte of the body
        reply = sock.recv(65536)
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert b"too large" in reply.lower()


def test_streamed_body_over_the_limit_is_refused(client):
    def chunks():
        for _ in range(14):
            yield b"x" * (1024 * 1024)

    response = client.post("/testimony", content=chunks(),
                           headers={"Content-Type": "multipart/form-data; boundary=xyz"})
    assert response.status_code == 413
    assert "too large" in response.text.lower()
    assert stored(client) == []


def test_wrong_photos_are_refused_with_a_message(client):
    gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
    bomb = io.BytesIO()
    Image.new("1", (12_000, 9_000)).save(bomb, "PNG")  # 108 megapixels in a tiny file
    cases = [
        ([("photos", ("damage.jpg", gif, "image/jpeg"))], "is not a JPEG, PNG or WebP"),
        ([("photos", ("report.pdf", b"%PDF-1.4 marker", "application/pdf"))], "is not a JPEG, PNG or WebP"),
        ([("photos", ("broken.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 100, "image/jpeg"))], "could not be opened"),
        ([("photos", ("bomb.png", bomb.getvalue(), "image/png"))], "too many pixels"),
        ([("photos", ("big.jpg", b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024 + 1), "image/jpeg"))],
         "larger than 5 MB"),
        ([("photos", (f"p{i}.jpg", jpeg_with_gps(), "image/jpeg")) for i in range(4)], "at most 3 photos"),
    ]
    for files, message in cases:
        response = post(client, {"what_happened": "keep these words"}, files=files)
        assert response.status_code == 400, (message, response.status_code)
        assert message in response.text, message
        assert "keep these words" in response.text  # the answers come back
        assert "choose them again" in response.text
    assert stored(client) == []


def test_csrf_without_cookies(client, db, keydir):
    intake = client.app.state.testimony
    data = {"what_happened": "forged?"}
    assert post(client, data, tok=None).status_code == 403
    issued, nonce, mac = token(client).split(".")
    forged = f"{issued}.{nonce}.{'0' * len(mac)}"
    assert post(client, data, tok=forged).status_code == 403
    assert post(client, data, tok=f"{int(issued) - 100}.{nonce}.{mac}").status_code == 403
    other_server = f"{issued}.{nonce}." + __import__("hmac").new(b"k" * 32, f"testimony-form|{issued}|{nonce}".encode(),
                                                                  "sha256").hexdigest()
    assert post(client, data, tok=other_server).status_code == 403
    # cross-site posts, as browsers label them
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"},
                    {"Sec-Fetch-Site": "same-site", "Origin": "http://testserver"}):
        response = post(client, data, headers=headers)
        assert response.status_code == 403 and "another website" in response.text
    assert post(client, data, headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
                ).status_code == 200
    # replayed
    tok = token(client)
    assert post(client, {"what_happened": "once"}, tok=tok).status_code == 200
    again = post(client, {"what_happened": "twice"}, tok=tok)
    assert again.status_code == 409 and "already" in again.text
    # too fast (the real minimum age), and expired
    intake.tokens.min_age = 3
    quick = post(client, {"what_happened": "in a hurry"})
    assert quick.status_code == 403 and "very quick" in quick.text and "in a hurry" in quick.text
    intake.tokens.min_age = 0
    old = token(client)
    real_clock = intake.tokens.clock
    intake.tokens.clock = lambda: real_clock() + 7 * 3600
    try:
        expired = post(client, {"what_happened": "slow"}, tok=old)
    finally:
        intake.tokens.clock = real_clock
    assert expired.status_code == 403 and "expired" in expired.text
    assert len(stored(client)) == 2


def test_global_rate_limit(client):
    client.app.state.testimony.bucket = TokenBucket(rate_per_minute=1, burst=2)
    assert post(client, {"what_happened": "one"}).status_code == 200
    assert post(client, {"what_happened": "two"}).status_code == 200
    response = post(client, {"what_happened": "three, please keep me"})
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) >= 1
    assert "wait a minute" in response.text and "three, please keep me" in response.text
    assert len(stored(client)) == 2


def test_no_cookies_on_any_testimony_response(client):
    responses = [
        client.get("/testimony"), client.get("/testimony?lang=es"),
        post(client, {"what_happened": "ok"}), post(client, {}, tok=None), post(client, {}),
        client.post("/testimony", content=b"junk", headers={"Content-Type": "text/plain"}),
    ]
    for response in responses:
        assert "set-cookie" not in response.headers, response.status_code
        assert response.headers["cache-control"] == "no-store"
    assert [r.status_code for r in responses] == [200, 200, 200, 403, 400, 400]


def test_spanish_from_the_catalogue(client):
    from babel.messages.pofile import read_po

    from raidwatch.testimony.i18n import po_path
    with po_path("es").open("rb") as fh:
        catalog = read_po(fh)
    title = catalog.get("Tell us what happened").string
    send = catalog.get("Send").string
    assert title and send and title != "Tell us what happened"
    for response in (client.get("/testimony?lang=es"),
                     client.get("/testimony", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})):
        assert '<html lang="es">' in response.text
        assert title.replace("'", "&#39;") in response.text and f">{send}</button>" in response.text
    english = client.get("/testimony", headers={"Accept-Language": "fr, en;q=0.4"})
    assert '<html lang="en">' in english.text and "Tell us what happened" in english.text
    # answers in Spanish get Spanish messages back
    empty = post(client, {"lang": "es"}, tok=token(client, "es"))
    assert empty.status_code == 400 and catalog.get(
        "The form is empty. Please tell us something, or add a photo.").string in empty.text


def test_every_message_has_a_spanish_translation():
    from babel.messages.extract import extract_from_file
    from babel.messages.pofile import read_po

    from raidwatch.testimony.i18n import po_path
    src = ROOT / "src" / "raidwatch" / "web"
    found = list(extract_from_file("python", str(src / "testimony.py"), keywords={"_": None, "N_": None}))
    for template in (src / "templates" / "testimony").glob("*.html"):
        found += extract_from_file("jinja2.ext:babel_extract", str(template), keywords={"_": None})
    messages = [m if isinstance(m, str) else m[0] for _line, m, _comments, _context in found]
    with po_path("es").open("rb") as fh:
        catalog = read_po(fh)
    assert len(set(messages)) > 40
    missing = [m for m in set(messages) if not (catalog.get(m) and catalog.get(m).string)
               or catalog.get(m).fuzzy]
    assert not missing, missing


class FormReader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms, self.scripts = [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "form":
            self.forms.append({"attrs": attrs, "inputs": []})
        if tag in ("input", "textarea") and self.forms:
            self.forms[-1]["inputs"].append((tag, attrs))


def test_the_form_works_as_a_plain_post_without_javascript(client, keydir):
    page = client.get("/testimony")
    reader = FormReader()
    reader.feed(page.text)
    assert reader.scripts == 0
    form, = reader.forms
    assert form["attrs"]["method"] == "post" and form["attrs"]["enctype"] == "multipart/form-data"
    fields, files = {}, []
    for tag, attrs in form["inputs"]:  # what a browser would send with nothing typed but the story
        kind = attrs.get("type", "text")
        if kind == "file":
            files.append((attrs["name"], ("", b"", "application/octet-stream")))
        elif kind == "radio":
            if attrs["name"] == "quote" and attrs["value"] == "no":
                fields["quote"] = "no"
        elif tag == "textarea" or kind in ("text", "hidden"):
            fields[attrs["name"]] = attrs.get("value", "")
    fields["what_happened"] = "Plain form, no script."
    response = client.post(form["attrs"]["action"], data=fields, files=files)
    assert response.status_code == 200 and "Thank you" in response.text
    record, = opened(keydir, client)
    assert record["answers"]["what_happened"] == "Plain form, no script." and record["answers"]["quote"] == "no"


def test_uploads_never_touch_disk(client, tmp_path, monkeypatch):
    spool = tmp_path / "tmp"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))

    def refuse(*args, **kwargs):
        raise AssertionError("an upload was written to a temporary file")

    for name in ("TemporaryFile", "NamedTemporaryFile", "mkstemp"):
        monkeypatch.setattr(tempfile, name, refuse)
    noise = Image.frombytes("RGB", (1100, 1100), os.urandom(1100 * 1100 * 3))
    out = io.BytesIO()
    noise.save(out, "PNG")
    assert 3 * 1024 * 1024 < len(out.getvalue()) < 5 * 1024 * 1024
    response = post(client, {"what_happened": "big photo"}, files={"photos": ("noise.png", out.getvalue(), "image/png")})
    assert response.status_code == 200, response.text
    assert list(spool.iterdir()) == []


def test_closed_without_a_key(db, monkeypatch):
    monkeypatch.delenv("RAIDWATCH_TESTIMONY_KEY", raising=False)
    with make_client(db, None) as closed:
        page = closed.get("/testimony")
        assert page.status_code == 503 and "not being accepted" in page.text and "<form" not in page.text
        assert closed.post("/testimony", data={"what_happened": "x"}).status_code == 503
        assert stored(closed) == []


def test_honeypot_and_empty_forms_store_nothing(client):
    bot = post(client, {"what_happened": "buy pills", "website": "http://spam.example"})
    assert bot.status_code == 200 and "Thank you" in bot.text
    empty = post(client, {"role": "witnessed"})
    assert empty.status_code == 400 and "The form is empty" in empty.text
    bad = post(client, {"what_happened": "x", "quote": "maybe", "when": "y" * 301})
    assert bad.status_code == 400 and "choose one of the options" in bad.text and "at most 300 characters" in bad.text
    assert stored(client) == []


def test_keys_and_count_commands(tmp_path, keydir, client, capsys):
    private = keydir / "testimony.private"
    assert private.stat().st_mode & 0o777 == 0o600
    assert "NEVER" in private.read_text() and "PRIVATE" in private.read_text()
    assert cli_main(["keys", "generate", "--out", str(keydir)]) == 2  # no overwrite
    assert load_private_key(private).public_key == load_public_key(keydir / "testimony.public")
    post(client, {"what_happened": "counted"})
    db = client.app.state.store.url.removeprefix("sqlite:///")
    capsys.readouterr()
    assert cli_main(["testimony", "count", "--db", db, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["total"] == 1 and result["testimonies"][0]["key_id"] == crypto.key_id(
        load_public_key(keydir / "testimony.public"))
    assert cli_main(["serve", "--testimony-key", str(private), "--db", db]) == 2
    assert "must never be on the server" in capsys.readouterr().err
