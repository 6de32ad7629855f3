"""The reviewers' pages: login, the queue of unreviewed operations, one
operation with its unredacted evidence and a form per decision, and the
audit log. Accounts are made with `raidwatch users add NAME`.

Security:
- The session cookie `rw_session` is HttpOnly, SameSite=Strict, Path=/ and
  expires with the session. It is `Secure` unless the request is plain
  http to localhost/127.0.0.1/::1 (a reviewer on their own machine, and the
  tests). `app.state.secure_cookies` (or $RAIDWATCH_SECURE_COOKIES=always /
  never) overrides that: "never" only for a trusted plain-http network.
- Every form carries a CSRF token: the session's own once logged in; for
  the login form a double-submit token (the same random value in the short
  lived `rw_csrf` cookie and in the form). A POST without the right token
  gets 403.
- Pages show private individuals' names (reviewers need the evidence as
  written), so they are sent with `Cache-Control: no-store`.
- No inline script or style anywhere (the Content-Security-Policy forbids
  them): plain forms.
"""
from __future__ import annotations

import hmac
import json
import os
import re
import secrets
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.formparsers import MultiPartException

from raidwatch.model import (
    COUNT_NAMES,
    OPERATION_FIELDS,
    PUBLICITY_FLAGS,
    TACTICS,
    VENUES,
)
from raidwatch.publish import safe_url
from raidwatch.store import DocumentNotFound, OperationNotFound, accounts
from raidwatch.store.summaries import Filters

from .filters import int_param
from .views import FIELD_LABELS

router = APIRouter(include_in_schema=False)

SESSION_COOKIE = "rw_session"
LOGIN_CSRF_COOKIE = "rw_csrf"
LOGIN_CSRF_SECONDS = 30 * 60
PAGE_SIZE = 50
AUDIT_PAGE_SIZE = 100
MAX_TEXT = 500
MAX_NOTE = 2000
MAX_BODY = 256 * 1024
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

LIST_FIELDS = {"agencies": None, "tactics": TACTICS, "venues": VENUES}
FLAG_FIELDS = {f"publicity.{p}" for p in PUBLICITY_FLAGS} | {"immigration_involved"}
COUNT_FIELDS = {f"counts.{c}" for c in COUNT_NAMES}
DATE_FIELDS = {"date.start", "date.end"}
PRECISIONS = ("day", "month", "year")

# Flash messages are chosen by key, so a link cannot put words on a reviewer's page.
DONE = {
    "corrected": "Saved the value of {field}.",
    "locked": "Locked {field}: later sources will not change it.",
    "reviewed": "Marked this operation as reviewed.",
    "irrelevant": "Marked document #{document} as not about a raid; its reports left this operation.",
    "merged": "Operation #{other} was merged into this one.",
    "split": "The selected reports are now operation #{new}.",
    "hidden": "Document #{document}: the text is now hidden on the public pages.",
    "shown": "Document #{document}: the text is now shown on the public pages.",
}


# ---------------------------------------------------------------- helpers


def _store(request: Request):
    return request.app.state.store


def _page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    response = request.app.state.templates.TemplateResponse(request, template, context, status_code=status)
    response.headers.update(NO_STORE)
    return response


def _secure(request: Request) -> bool:
    """Whether cookies get the Secure flag (see the module docstring)."""
    setting = getattr(request.app.state, "secure_cookies", None)
    if setting is None:
        setting = os.environ.get("RAIDWATCH_SECURE_COOKIES", "").strip().lower() or None
    if setting in (True, "always", "1", "true", "yes"):
        return True
    if setting in (False, "never", "0", "false", "no"):
        return False
    return not (request.url.scheme == "http" and (request.url.hostname or "") in LOCAL_HOSTS)


def _current(request: Request) -> tuple[accounts.User, str, datetime] | None:
    """(user, csrf token, expiry) of the request's session, or None."""
    return accounts.session_user(_store(request), request.cookies.get(SESSION_COOKIE))


def _to_login(request: Request) -> RedirectResponse:
    """To the login form, coming back here after (to the operation's page
    for a form posted after the session ran out)."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        target = target.rsplit("/", 1)[0] if target.startswith("/review/operations/") else "/review"
    return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)


def _safe_next(value: str | None) -> str:
    """Only a path on this site (no //host, no backslash tricks)."""
    value = (value or "").strip()
    if not value.startswith("/") or value.startswith("//") or "\\" in value or any(ord(c) < 32 for c in value):
        return "/review"
    return value


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a).encode(), str(b).encode())


async def _form(request: Request) -> dict[str, Any]:
    """The posted fields; repeated names (checkboxes) as lists."""
    length = request.headers.get("content-length", "0")
    if not length.isdigit() or int(length) > MAX_BODY:
        raise HTTPException(413, "The form is too large.")
    try:
        form = await request.form()
    except (MultiPartException, ValueError, KeyError):
        raise HTTPException(400, "The form could not be read.") from None
    data: dict[str, Any] = {}
    for key in form:
        values = [v for v in form.getlist(key) if isinstance(v, str)]
        data[key] = values if len(values) > 1 or key == "reports" else (values[0] if values else "")
    return data


async def _reviewer_post(request: Request, operation_id: str):
    """(session, posted form, operation id, None) for a logged-in reviewer
    with the right CSRF token; (.., login redirect) for anonymous users;
    403 for a missing or wrong token."""
    current = _current(request)
    if current is None:
        return None, None, 0, _to_login(request)
    form = await _form(request)
    if not _same(form.get("csrf_token"), current[1]):
        raise HTTPException(403, "This form has expired or did not come from this site (missing or wrong "
                                 "security token). Go back, reload the page and try again.")
    return current, form, _operation_id(operation_id), None


def _note(form: dict[str, Any]) -> str | None:
    note = str(form.get("note") or "").strip()
    if len(note) > MAX_NOTE:
        raise HTTPException(400, f"The note is too long (at most {MAX_NOTE} characters).")
    return note or None


def _positive_int(text: Any, what: str) -> int:
    text = str(text or "").strip().lstrip("#")
    if not text.isdigit() or not 0 < int(text) < 2**31:
        raise HTTPException(400, f"{what} must be a positive whole number, got {text!r}.")
    return int(text)


def _back(operation_id: int, done: str, **params: Any) -> RedirectResponse:
    query = urlencode({"done": done, **params})
    return RedirectResponse(f"/review/operations/{operation_id}?{query}#top", status_code=303)


# ------------------------------------------------------- values from forms


def parse_value(field: str, text: str) -> Any:
    """A reviewer's typed value as the field's type; ValueError says what
    is expected. Empty (or "unknown") means the sources do not say."""
    if field not in OPERATION_FIELDS:
        raise ValueError(f"Unknown field {field!r}.")
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise ValueError(f"The value is too long (at most {MAX_TEXT} characters).")
    unknown = text.lower() in ("", "unknown", "-", "–")
    label = FIELD_LABELS.get(field, field)
    if field in COUNT_FIELDS:
        if unknown:
            return None
        digits = text.replace(",", "").replace("_", "")
        if not digits.isdigit():
            raise ValueError(f"{label} must be a whole number of 0 or more (or empty for unknown), got {text!r}.")
        value = int(digits)
        if value >= 2**31:
            raise ValueError(f"{label} is too large: {text!r}.")
        return value
    if field in FLAG_FIELDS:
        choice = {"true": True, "yes": True, "false": False, "no": False, "unknown": None, "": None}
        if text.lower() not in choice:
            raise ValueError(f"{label} must be true, false or unknown, got {text!r}.")
        return choice[text.lower()]
    if field in LIST_FIELDS:
        items = list(dict.fromkeys(i.strip() for i in re.split(r";", text) if i.strip()))
        allowed = LIST_FIELDS[field]
        if allowed is not None:
            bad = [i for i in items if i not in allowed]
            if bad:
                raise ValueError(f"{label}: {', '.join(map(repr, bad))} not known; use {', '.join(allowed)} "
                                 "(separated by '; ').")
        return items
    if unknown:
        return None
    if field in DATE_FIELDS:
        try:
            return date.fromisoformat(text).isoformat() if len(text) == 10 else _bad_date(label, text)
        except ValueError:
            _bad_date(label, text)
    if field == "date.precision":
        if text.lower() not in PRECISIONS:
            raise ValueError(f"{label} must be day, month or year, got {text!r}.")
        return text.lower()
    if field == "place.country":
        if not (len(text) == 2 and text.isascii() and text.isalpha()):
            raise ValueError(f"{label} must be a two-letter ISO code such as US or GB, got {text!r}.")
        return text.upper()
    if any(ord(c) < 32 for c in text):
        raise ValueError(f"{label} must be one line of text.")
    return text


def _bad_date(label: str, text: str):
    raise ValueError(f"{label} must be a date written YYYY-MM-DD, got {text!r}.")


def shown_value(field: str, value: Any) -> str:
    """A value as the form shows it (the inverse of `parse_value`)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return str(value)


# ------------------------------------------------------------------ login


@router.get("/login")
def login_form(request: Request, next: str = "/review"):
    if _current(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_page(request, _safe_next(next))


def _login_page(request: Request, next_path: str, error: str | None = None, status: int = 200) -> Response:
    token = secrets.token_urlsafe(32)
    response = _page(request, "review/login.html", {"csrf": token, "next": next_path, "error": error,
                                                    "user": None}, status)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=LOGIN_CSRF_SECONDS, path="/", secure=_secure(request),
                        httponly=True, samesite="strict")
    return response


@router.post("/login")
async def login(request: Request):
    form = await _form(request)
    if not _same(form.get("csrf_token"), request.cookies.get(LOGIN_CSRF_COOKIE)):
        raise HTTPException(403, "The login form has expired or did not come from this site (missing or wrong "
                                 "security token). Reload the login page and try again.")
    next_path = _safe_next(form.get("next"))
    store = _store(request)
    try:
        user = accounts.verify_login(store, str(form.get("name") or ""), str(form.get("password") or ""))
    except accounts.AccountLocked:
        return _login_page(request, next_path, "Too many wrong passwords: this account is locked for a while. "
                                               "Try again later.", 429)
    if user is None:
        return _login_page(request, next_path, "Wrong user name or password.", 401)
    accounts.end_session(store, request.cookies.get(SESSION_COOKIE))  # no session fixation
    token, _ = accounts.create_session(store, user.id)
    created = accounts.session_user(store, token)
    expires = created[2] if created else None
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(SESSION_COOKIE, token, expires=expires, path="/", secure=_secure(request),
                        httponly=True, samesite="strict")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/", secure=_secure(request), httponly=True, samesite="strict")
    return response


@router.post("/logout")
async def logout(request: Request):
    current = _current(request)
    if current is not None:
        form = await _form(request)
        if not _same(form.get("csrf_token"), current[1]):
            raise HTTPException(403, "The logout form did not come from this site (missing or wrong security "
                                     "token). Reload the page and try again.")
        accounts.end_session(_store(request), request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=_secure(request), httponly=True, samesite="strict")
    return response


# ------------------------------------------------------------------ pages


@router.get("/review")
def queue(request: Request):
    current = _current(request)
    if current is None:
        return _to_login(request)
    user, csrf, _ = current
    sort = request.query_params.get("sort", "date")
    if sort not in ("date", "updated"):
        raise HTTPException(400, "'sort' must be date or updated.")
    page = int_param(request, "page", 1, 1, 100_000)
    items, total = _store(request).summaries().list(
        Filters(reviewed=False), limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, sort=sort)
    pages = max(1, -(-total // PAGE_SIZE))
    return _page(request, "review/queue.html", {
        "user": user, "csrf": csrf, "items": items, "total": total, "page": page, "pages": pages, "sort": sort,
        "done": _done_message(request),
    })


@router.get("/review/audit")
def audit(request: Request):
    current = _current(request)
    if current is None:
        return _to_login(request)
    user, csrf, _ = current
    page = int_param(request, "page", 1, 1, 100_000)
    rows = _store(request).audit_log(limit=AUDIT_PAGE_SIZE + 1, offset=(page - 1) * AUDIT_PAGE_SIZE)
    for row in rows:
        row["old_text"] = _json_text(row["old"])
        row["new_text"] = _json_text(row["new"])
        row["field_label"] = FIELD_LABELS.get(row["field"], row["field"]) if row["field"] else None
    return _page(request, "review/audit.html", {
        "user": user, "csrf": csrf, "rows": rows[:AUDIT_PAGE_SIZE], "page": page,
        "has_next": len(rows) > AUDIT_PAGE_SIZE,
    })


def _json_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "; ".join(value)
    return json.dumps(value, ensure_ascii=False)


@router.get("/review/operations/{operation_id}")
def operation(request: Request, operation_id: str):
    current = _current(request)
    if current is None:
        return _to_login(request)
    op_id = _operation_id(operation_id)
    live = _store(request).resolve_operation_id(op_id)
    if live is not None and live != op_id:
        return RedirectResponse(f"/review/operations/{live}", status_code=303)
    return _operation_page(request, op_id, current, done=_done_message(request))


def _operation_id(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 2**31:
        raise HTTPException(404, f"There is no operation {text!r}.")
    return int(text)


def _done_message(request: Request) -> str | None:
    key = request.query_params.get("done")
    if key not in DONE:
        return None
    params = request.query_params
    field = params.get("field")
    numbers = {k: params.get(k, "") for k in ("document", "other", "new")}
    if not all(v.isdigit() or v == "" for v in numbers.values()):
        return None
    return DONE[key].format(field=FIELD_LABELS.get(field or "", "the field"), **numbers)


def _operation_page(request: Request, op_id: int, current, done: str | None = None, error: str | None = None,
                    status: int = 200) -> Response:
    store = _store(request)
    op = store.operation(op_id)
    if op is None:
        raise HTTPException(404, f"There is no operation {op_id} (or it has no sources left).")
    for source in op["sources"]:
        source["url"] = safe_url(source.get("url"))  # no javascript: links from source files
    user, csrf, _ = current
    fields = []
    for name in OPERATION_FIELDS:
        field = op["fields"].get(name) or {"value": None, "reason": "no source states it", "disputed": False,
                                           "claims": []}
        fields.append({
            "name": name, "label": FIELD_LABELS.get(name, name), "anchor": name.replace(".", "-"),
            "value": field["value"], "shown": shown_value(name, field["value"]), "reason": field["reason"],
            "disputed": field["disputed"], "locked": field["reason"].startswith("locked"),
            "claims": [{**c, "shown": shown_value(name, c["value"])} for c in field["claims"]],
            "kind": _kind(name),
        })
    return _page(request, "review/operation.html", {
        "user": user, "csrf": csrf, "op": op, "fields": fields, "done": done, "error": error,
        "history": store.audit_log(limit=20, operation_id=op_id),
        "tactics": TACTICS, "venues": VENUES, "redactions": _redactions(store, op),
    }, status)


def _kind(name: str) -> str:
    if name in COUNT_FIELDS:
        return "count"
    if name in FLAG_FIELDS:
        return "flag"
    if name in LIST_FIELDS:
        return "list"
    if name in DATE_FIELDS:
        return "date"
    if name == "date.precision":
        return "precision"
    return "text"


# ---------------------------------------------------------------- actions


def _act(request: Request, op_id: int, current, action) -> Response:
    """Run a store action; bad input re-shows the page with the message
    (400), a missing operation or document is a 404."""
    try:
        return action()
    except (OperationNotFound, DocumentNotFound) as exc:
        raise HTTPException(404, _sentence(str(exc))) from None
    except ValueError as exc:
        return _operation_page(request, op_id, current, error=_sentence(str(exc)), status=400)


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


@router.post("/review/operations/{operation_id}/field")
async def field_action(request: Request, operation_id: str):
    current, form, op_id, redirect = await _reviewer_post(request, operation_id)
    if redirect:
        return redirect
    user = current[0]
    field = str(form.get("field") or "")
    action = form.get("action") or "correct"
    if action not in ("correct", "lock"):
        raise HTTPException(400, "The action must be correct or lock.")
    note = _note(form)

    def run():
        value = parse_value(field, str(form.get("value") or ""))
        store = _store(request)
        if action == "lock":
            store.lock_field(op_id, field, value, user.name, note)
        else:
            store.correct_field(op_id, field, value, user.name, note)
        return _back(op_id, "locked" if action == "lock" else "corrected", field=field)

    return _act(request, op_id, current, run)


@router.post("/review/operations/{operation_id}/reviewed")
async def reviewed_action(request: Request, operation_id: str):
    current, form, op_id, redirect = await _reviewer_post(request, operation_id)
    if redirect:
        return redirect
    user = current[0]

    def run():
        _store(request).mark_reviewed(op_id, user.name, _note(form))
        return _back(op_id, "reviewed")

    return _act(request, op_id, current, run)


def _source_document(request: Request, op_id: int, current, form) -> tuple[int, Response | None]:
    """The form's `document`, which must be a source of the operation:
    (its id, None), or (id, the page re-shown with the error)."""
    document_id = _positive_int(form.get("document"), "The document")
    op = _store(request).operation(op_id)
    if op is None or op["id"] != op_id:
        raise HTTPException(404, f"There is no operation {op_id}.")
    if document_id not in {s["document_id"] for s in op["sources"]}:
        return document_id, _operation_page(request, op_id, current, status=400,
                                            error=f"Document #{document_id} is not a source of this operation.")
    return document_id, None


@router.post("/review/operations/{operation_id}/irrelevant")
async def irrelevant_action(request: Request, operation_id: str):
    current, form, op_id, redirect = await _reviewer_post(request, operation_id)
    if redirect:
        return redirect
    user = current[0]
    store = _store(request)
    document_id, refused = _source_document(request, op_id, current, form)
    if refused:
        return refused

    def run():
        store.mark_irrelevant(document_id, user.name, _note(form))
        if store.operation(op_id) is None:
            return RedirectResponse("/review?" + urlencode({"done": "irrelevant", "document": document_id}),
                                    status_code=303)
        return _back(op_id, "irrelevant", document=document_id)

    return _act(request, op_id, current, run)


@router.post("/review/operations/{operation_id}/merge")
async def merge_action(request: Request, operation_id: str):
    current, form, op_id, redirect = await _reviewer_post(request, operation_id)
    if redirect:
        return redirect
    user = current[0]
    try:
        other = _positive_int(form.get("other"), "The operation to merge")
    except HTTPException as exc:
        return _operation_page(request, op_id, current, error=str(exc.detail), status=400)

    def run():
        if _store(request).resolve_operation_id(other) is None:
            raise ValueError(f"there is no operation {other} to merge")
        _store(request).merge_operations(op_id, other, user.name, _note(form))
        return _back(op_id, "merged", other=other)

    return _act(request, op_id, current, run)


@router.post("/review/operations/{operation_id}/split")
async def split_action(request: Request, operation_id: str):
    current, form, op_id, redirect = await _reviewer_post(request, operation_id)
    if redirect:
        return redirect
    user = current[0]
    refs = []
    for item in form.get("reports") or []:
        doc, _, index = str(item).partition(":")
        if not (doc.isdigit() and index.isdigit()) or len(item) > 24:
            return _operation_page(request, op_id, current, status=400,
                                   error=f"{item!r} is not a report (DOCUMENT:INDEX).")
        refs.append((int(doc), int(index)))
    if not refs:
        return _operation_page(request, op_id, current, status=400,
                               error="Select the reports that belong to another operation.")

    def run():
        new_id = _store(request).split_operation(op_id, refs, user.name, _note(form))
        return _back(op_id, "split", new=new_id)

    return _act(request, op_id, current, run)


# ------------------------------------------------------------- redaction
#
# Reviewers see the unredacted sources and correct the redaction decision:
# show a span the rules hid, or hide a phrase the rules missed (at each of
# its occurrences in the document). The store writes the audit log.

MAX_PHRASE = 200


def _redactions(store, op: dict[str, Any]) -> dict[int, list[dict[str, Any]]]:
    """Per source document, its hidden spans with their text."""
    out: dict[int, list[dict[str, Any]]] = {}
    for source in op["sources"]:
        doc_id = source["document_id"]
        stored = store.get_document(doc_id)
        text = stored.document.text if stored else ""
        out[doc_id] = [{**span, "text": text[span["start"]:span["end"]]} for span in store.private_spans(doc_id) or []]
    return out


def _occurrences(text: str, phrase: str) -> list[tuple[int, int]]:
    """Where `phrase` occurs in `text` (any run of whitespace matches a
    space; not inside a longer word)."""
    words = phrase.split()
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)"
    return [(m.start(), m.end()) for m in re.finditer(pattern, text)]


@router.post("/review/operations/{operation_id}/redaction")
async def redaction_action(request: Request, operation_id: str):
    current, form, op_id, redirect = await _reviewer_post(request, operation_id)
    if redirect:
        return redirect
    user = current[0]
    store = _store(request)
    document_id, refused = _source_document(request, op_id, current, form)
    if refused:
        return refused
    action = form.get("action")
    note = _note(form)
    if action == "show":
        start, end = (str(form.get(k) or "") for k in ("start", "end"))
        hidden = {(s["start"], s["end"]): s for s in store.private_spans(document_id) or []}
        span = hidden.get((int(start), int(end))) if start.isdigit() and end.isdigit() else None
        if span is None:
            return _operation_page(request, op_id, current, status=400,
                                   error="That text is not hidden in this document (reload the page).")
        if span.get("author"):
            return _operation_page(request, op_id, current, status=400,
                                   error=f"That text was hidden by reviewer {span['author']} and stays hidden.")
        store.set_span_visibility(document_id, span["start"], span["end"], hidden=False, author=user.name,
                                  kind=span["kind"], note=note)
        return _back(op_id, "shown", document=document_id)
    if action == "hide":
        phrase = " ".join(str(form.get("phrase") or "").split())
        kind = form.get("kind") or "person"
        if kind not in ("person", "address"):
            raise HTTPException(400, "The kind must be person or address.")
        if not phrase or len(phrase) > MAX_PHRASE:
            return _operation_page(request, op_id, current, status=400,
                                   error=f"Type the text to hide (1 to {MAX_PHRASE} characters).")
        stored = store.get_document(document_id)
        found = _occurrences(stored.document.text if stored else "", phrase)
        if not found:
            return _operation_page(request, op_id, current, status=400,
                                   error=f"{phrase!r} does not occur in document #{document_id} "
                                         "(it must be written exactly as in the source).")
        for start, end in found:
            store.set_span_visibility(document_id, start, end, hidden=True, author=user.name, kind=kind, note=note)
        return _back(op_id, "hidden", document=document_id)
    raise HTTPException(400, "The action must be show or hide.")
