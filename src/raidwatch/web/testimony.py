"""The public testimony form: GET/POST /testimony.

No login, no cookies, no JavaScript. What a submission goes through:

1. No public key configured: 503 and a page saying testimony is not
   accepted here (nothing is read, nothing is stored).
2. `Content-Length` above `MAX_BODY`: 413 at once, before a byte of the body
   is read; a body without a length is counted while it streams and
   refused as soon as it passes the limit.
3. A browser that says the form came from another site (`Sec-Fetch-Site`,
   else `Origin`) is refused (403).
4. The body is parsed in memory only: the multipart parser's spool limit is
   above `MAX_BODY`, so Starlette never rolls an upload over to a temporary
   file on disk.
5. A filled honeypot field: a thank-you page, nothing stored.
6. The signed form token (`raidwatch.testimony.guard`) must be genuine, at
   least 3 s and at most 6 h old; then the global rate limit; then the
   token's nonce is used up (a second POST of the same form is refused).
7. Answers and photos are checked; photos are re-encoded without metadata.
8. Everything is sealed to the public key and stored with the day only.

When something the person can fix goes wrong, the form comes back with
their words still in it (never the photos, which must be chosen again) and
a message saying what to do. Nothing here reads the client address, the
user agent or proxy headers, and the access log drops these paths.
"""
from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from starlette.datastructures import UploadFile
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect

from raidwatch.store import StoreError
from raidwatch.testimony import crypto, guard, i18n
from raidwatch.testimony.i18n import N_
from raidwatch.testimony.images import MAX_PIXELS, ImageRefused, clean
from raidwatch.testimony.intake import Intake, install_log_filter
from raidwatch.testimony.submission import CHOICE_FIELDS, TEXT_FIELDS, check_answers

router = APIRouter(include_in_schema=False)

MB = 1024 * 1024
MAX_BODY = 12 * MB  # the same as web/limits.py TESTIMONY_LIMIT
MAX_PHOTO = 5 * MB
MAX_PHOTOS = 3
MAX_FIELD = 128 * 1024  # one text field, in bytes
HONEYPOT = "website"
KEY_ENV = "RAIDWATCH_TESTIMONY_KEY"
HEADERS = {"Cache-Control": "no-store", "Pragma": "no-cache"}

PROBLEMS = {
    "too_long": N_("This answer is too long: at most %(limit)s characters."),
    "choice": N_("Please choose one of the options."),
    "empty": N_("The form is empty. Please tell us something, or add a photo."),
}
PHOTO_PROBLEMS = {
    "type": N_("Photo %(n)s (%(name)s) is not a JPEG, PNG or WebP picture. Only those kinds of photos can be sent."),
    "broken": N_("Photo %(n)s (%(name)s) could not be opened as a picture. It may be damaged."),
    "too_many_pixels": N_("Photo %(n)s (%(name)s) has too many pixels (at most %(megapixels)s megapixels)."),
    "too_large": N_("Photo %(n)s (%(name)s) is larger than %(mb)s MB."),
}
TOKEN_PROBLEMS = {
    guard.MISSING: N_("This form did not come from this website, or it was changed. Please check your answers "
                      "below and press Send again."),
    guard.FORGED: N_("This form did not come from this website, or it was changed. Please check your answers "
                     "below and press Send again."),
    guard.TOO_FAST: N_("That was very quick. Please check your answers below and press Send again."),
    guard.EXPIRED: N_("This form was open for a long time and has expired. Please check your answers below and "
                      "press Send again."),
}


class InMemoryMultiPartParser(MultiPartParser):
    """Starlette's parser, but an upload's SpooledTemporaryFile stays in
    memory for any body this route accepts (the default rolls over to a
    plaintext temporary file on disk past 1 MiB)."""

    spool_max_size = MAX_BODY + 1


class BodyTooLarge(Exception):
    pass


# ------------------------------------------------------------------- setup


def setup(app, public_key=None) -> None:
    """Called by `create_app`: the public key (argument, else
    $RAIDWATCH_TESTIMONY_KEY: a key file path or its text), the intake,
    and the access-log filter."""
    if public_key is None and os.environ.get(KEY_ENV, "").strip():
        public_key = os.environ[KEY_ENV].strip()
    key = crypto.public_key_from(public_key) if public_key is not None else None
    app.state.testimony = Intake(key)
    install_log_filter()
    app.router.on_startup.append(install_log_filter)


def _intake(request: Request) -> Intake:
    intake = getattr(request.app.state, "testimony", None)
    return intake if intake is not None else Intake(None)


# -------------------------------------------------------------- rendering


def _render(request: Request, template: str, lang: str, context: dict[str, Any], status: int = 200,
            headers: dict[str, str] | None = None) -> Response:
    _ = i18n.gettext_for(lang)
    context = {
        "_": _, "lang": lang, "languages": i18n.LANGUAGES, "max_photos": MAX_PHOTOS,
        "max_photo_mb": MAX_PHOTO // MB, "max_body_mb": MAX_BODY // MB, "limits": TEXT_FIELDS,
        "choices": CHOICE_FIELDS, **context,
    }
    return request.app.state.templates.TemplateResponse(
        request, template, context, status_code=status, headers={**HEADERS, **(headers or {})})


def _form_page(request: Request, lang: str, answers: dict[str, str] | None = None, status: int = 200,
               messages: list[str] | None = None, field_errors: dict[str, str] | None = None,
               headers: dict[str, str] | None = None) -> Response:
    intake = _intake(request)
    return _render(request, "testimony/form.html", lang, {
        "token": intake.tokens.issue(), "answers": answers or {}, "messages": messages or [],
        "field_errors": field_errors or {}, "honeypot": HONEYPOT,
    }, status, headers)


def _message_page(request: Request, lang: str, status: int, title: str, message: str,
                  headers: dict[str, str] | None = None) -> Response:
    _ = i18n.gettext_for(lang)
    return _render(request, "testimony/message.html", lang, {"title": _(title), "message": _(message)}, status,
                   headers)


def _closed(request: Request, lang: str) -> Response:
    return _message_page(
        request, lang, 503, N_("Testimony is not being accepted here"),
        N_("This website is not set up to receive testimony right now, so nothing you write here would be "
           "kept. Please try again later, or contact the organisation another way."))


def _too_large(request: Request, lang: str) -> Response:
    _ = i18n.gettext_for(lang)
    return _render(request, "testimony/message.html", lang, {
        "title": _("What you sent is too large"),
        "message": _("Everything together may be at most %(mb)s MB. Please go back and send fewer or smaller "
                     "photos (at most %(n)s photos of %(photo_mb)s MB each).",
                     mb=MAX_BODY // MB, n=MAX_PHOTOS, photo_mb=MAX_PHOTO // MB),
    }, 413, {"Connection": "close"})


# ------------------------------------------------------------------ routes


@router.get("/testimony")
def testimony_form(request: Request):
    lang = i18n.choose(request.query_params.get("lang"), request.headers.get("accept-language"))
    if not _intake(request).accepting:
        return _closed(request, lang)
    return _form_page(request, lang)


@router.post("/testimony")
async def testimony_submit(request: Request):
    query_lang = request.query_params.get("lang")
    lang = i18n.choose(query_lang, request.headers.get("accept-language"))
    intake = _intake(request)
    if not intake.accepting:
        return _closed(request, lang)
    length = request.headers.get("content-length")
    if length is not None:
        if not length.strip().isdigit():
            return _unreadable(request, lang)
        if int(length) > MAX_BODY:
            return _too_large(request, lang)
    if _cross_site(request):
        return _message_page(request, lang, 403, N_("This form was not accepted"),
                             N_("It was sent from another website. Please open the form on this website and "
                                "send it from there."))
    try:
        body = await _read_body(request)
    except BodyTooLarge:
        return _too_large(request, lang)
    except ClientDisconnect:
        return Response(status_code=400)  # nobody is left to read an answer
    try:
        fields, uploads = await _parse(request, body)
    except (MultiPartException, ValueError, KeyError, UnicodeDecodeError):
        return _unreadable(request, lang)
    finally:
        del body
    if not query_lang and isinstance(fields.get("lang"), str):
        lang = i18n.choose(fields["lang"], request.headers.get("accept-language"))
    return await _submit(request, intake, lang, fields, uploads)


async def _submit(request: Request, intake: Intake, lang: str, fields: dict[str, str],
                  uploads: list[tuple[str, bytes]]) -> Response:
    _ = i18n.gettext_for(lang)
    if fields.get(HONEYPOT, "").strip():
        return _thanks(request, lang)  # a bot: looks accepted, nothing is stored
    checked = check_answers(fields, has_photos=bool(uploads))
    photos_again = [_("For your safety the photos you chose were not kept. Please choose them again.")] \
        if uploads else []

    verdict, nonce = intake.tokens.check(fields.get("token"))
    if verdict != guard.OK:
        return _form_page(request, lang, checked.answers, 403, [_(TOKEN_PROBLEMS[verdict])] + photos_again)
    wait = intake.bucket.take()
    if wait:
        return _form_page(request, lang, checked.answers, 429, [
            _("Many people are sending testimony right now. Please wait a minute and press Send again. "
              "Your answers are still below.")] + photos_again, headers={"Retry-After": str(int(wait) + 1)})
    if not intake.tokens.use(nonce):
        return _message_page(request, lang, 409, N_("This form was already sent"),
                             N_("We already received this form. If you want to tell us more, please fill in a new "
                                "form."))

    messages, field_errors = [], {}
    for name, problem in checked.errors:
        text = _(PROBLEMS[problem], limit=TEXT_FIELDS.get(name, 0))
        if name == "form":
            messages.append(text)
        else:
            field_errors[name] = text
    if len(uploads) > MAX_PHOTOS:
        messages.append(_("Please send at most %(n)s photos.", n=MAX_PHOTOS))
    photos, photo_errors = [], []
    if not messages and not field_errors:
        for n, (name, data) in enumerate(uploads, 1):
            try:
                if len(data) > MAX_PHOTO:
                    raise ImageRefused("too_large")
                if not data:
                    raise ImageRefused("broken")
                photos.append(await run_in_threadpool(clean, data))
            except ImageRefused as exc:
                photo_errors.append(_(PHOTO_PROBLEMS[exc.reason], n=n, name=_short(name) or "-",
                                      megapixels=MAX_PIXELS // 1_000_000, mb=MAX_PHOTO // MB))
    if messages or field_errors or photo_errors:
        if field_errors:
            messages.insert(0, _("Some answers need a change. Please look at the notes below."))
        return _form_page(request, lang, checked.answers, 400, messages + photo_errors + photos_again,
                          field_errors)

    try:
        received_on, ciphertext = await run_in_threadpool(intake.seal, checked.answers, photos, lang)
        await run_in_threadpool(intake.store, request.app.state.store, received_on, ciphertext)
    except StoreError:
        return _form_page(request, lang, checked.answers, 503, [
            _("We could not save this just now. Please wait a few minutes and press Send again.")] + photos_again)
    return _thanks(request, lang)


def _thanks(request: Request, lang: str) -> Response:
    return _render(request, "testimony/thanks.html", lang, {})


def _unreadable(request: Request, lang: str) -> Response:
    return _message_page(request, lang, 400, N_("The form could not be read"),
                         N_("Please go back to the form and try again."))


def _short(name: str) -> str:
    name = "".join(c for c in (name or "") if c.isprintable())
    return name if len(name) <= 60 else name[:57] + "..."


# ----------------------------------------------------------------- reading


def _host_key(netloc: str) -> str:
    netloc = netloc.strip().lower()
    for default in (":80", ":443"):
        if netloc.endswith(default):
            netloc = netloc[: -len(default)]
    return netloc


def _cross_site(request: Request) -> bool:
    """True when the browser says the POST came from another site."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site.strip().lower() not in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None or origin.strip().lower() == "null":
        return False
    parts = urlsplit(origin.strip())
    return not parts.netloc or _host_key(parts.netloc) != _host_key(request.headers.get("host", ""))


async def _read_body(request: Request) -> bytes:
    """The body, in memory, refused as soon as it passes MAX_BODY."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


async def _parse(request: Request, body: bytes) -> tuple[dict[str, str], list[tuple[str, bytes]]]:
    """(first value of each text field, [(file name, bytes)] of the photos
    chosen). Empty file inputs (nothing chosen) are left out."""

    async def stream():
        yield body
        yield b""

    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith("multipart/form-data"):
        parser = InMemoryMultiPartParser(request.headers, stream(), max_files=MAX_PHOTOS + 7, max_fields=60,
                                         max_part_size=MAX_FIELD)
    elif content_type.startswith("application/x-www-form-urlencoded"):
        parser = FormParser(request.headers, stream(), max_fields=60, max_part_size=MAX_FIELD)
    else:
        raise ValueError("not a form")
    form = await parser.parse()
    fields: dict[str, str] = {}
    uploads: list[tuple[str, bytes]] = []
    try:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                data = await value.read()
                if data or value.filename:  # a file input left empty sends neither
                    uploads.append((value.filename or "", data))
            elif key not in fields:
                fields[key] = value
    finally:
        await form.close()
    return fields, uploads
