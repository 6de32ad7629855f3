"""Reviewers see the unredacted source and correct a redaction decision
(the "Redaction" section of /review/operations/{id}): a phrase they hide
disappears from the public page, API and downloads; a span they show
reappears; both are in the audit log; only with the session's CSRF token.
"""
from __future__ import annotations

import lxml.html
import pytest
from _helpers import csrf_of, login, make_client

from raidwatch.store import Store


@pytest.fixture
def reviewer(db_path):
    client = make_client(db_path)
    assert login(client).status_code == 303
    with Store.open(str(db_path)) as store:
        op = next(op for op in store.operations() if op["place"].get("locality") == "Sheffield")
        doc_id = op["sources"][0]["document_id"]
        text = store.get_document(doc_id).document.text
    yield client, op["id"], doc_id, text, db_path
    client.close()


def _public_text(client, op_id: int) -> str:
    page = client.get(f"/operations/{op_id}")
    assert page.status_code == 200
    return lxml.html.fromstring(page.text).text_content() + client.get(f"/api/v1/operations/{op_id}").text + \
        client.get("/downloads/operations.csv").text


def test_the_reviewer_page_shows_hidden_spans_with_their_text(reviewer):
    client, op_id, doc_id, _text, _ = reviewer
    page = client.get(f"/review/operations/{op_id}")
    section = lxml.html.fromstring(page.text).get_element_by_id(f"redaction-{doc_id}")
    shown = section.text_content()
    assert "Marguerite Oyelaran" in shown and "Show publicly" in shown
    assert "Hide this text" in shown


def test_hidden_phrase_disappears_from_public_outputs(reviewer):
    client, op_id, doc_id, text, db = reviewer
    assert "Helen Radcliffe" in text
    assert "Helen Radcliffe" in _public_text(client, op_id)  # an official: named until a reviewer hides it
    csrf = csrf_of(client.get(f"/review/operations/{op_id}").text)
    response = client.post(f"/review/operations/{op_id}/redaction", follow_redirects=False, data={
        "csrf_token": csrf, "document": doc_id, "action": "hide", "phrase": "Helen  Radcliffe", "kind": "person",
        "note": "asked to be left out"})
    assert response.status_code == 303, response.text
    assert "done=hidden" in response.headers["location"]
    public = _public_text(client, op_id)
    assert "Radcliffe" not in public and "Helen Radcliffe" not in public
    assert "[person]" in public
    with Store.open(str(db)) as store:
        spans = [s for s in store.private_spans(doc_id) if s["author"]]
        assert len(spans) == text.count("Helen Radcliffe") == 2
        assert {text[s["start"]:s["end"]] for s in spans} == {"Helen Radcliffe"}
        log = store.audit_log(limit=5)
    assert log[0]["action"] == "redact" and log[0]["actor"]


def test_shown_span_reappears(reviewer):
    """The rules hide "Sheffield" once it is listed with a private name's
    address (over-redaction); a reviewer shows the mention in the raid's
    sentence and it is back on the public page, the others stay hidden."""
    client, op_id, doc_id, text, db = reviewer
    sentence = "South Yorkshire Police raided a brothel in Sheffield on 18 August 2024"
    at = text.index(sentence) + sentence.index("Sheffield")
    with Store.open(str(db)) as store:
        spans = store.private_spans(doc_id)
    target = next(s for s in spans if s["start"] == at)
    assert sentence not in _public_text(client, op_id)
    csrf = csrf_of(client.get(f"/review/operations/{op_id}").text)
    response = client.post(f"/review/operations/{op_id}/redaction", follow_redirects=False, data={
        "csrf_token": csrf, "document": doc_id, "action": "show", "start": target["start"], "end": target["end"]})
    assert response.status_code == 303, response.text
    assert "done=shown" in response.headers["location"]
    public = _public_text(client, op_id)
    assert sentence in public
    assert "Marguerite Oyelaran" not in public and "Oyelaran" not in public
    with Store.open(str(db)) as store:
        assert (target["start"], target["end"]) not in {(s["start"], s["end"]) for s in store.private_spans(doc_id)}
        assert store.audit_log(limit=1)[0]["action"] == "unredact"
    # Showing it again: it is no longer hidden, so the form is refused with a message.
    again = client.post(f"/review/operations/{op_id}/redaction", follow_redirects=False, data={
        "csrf_token": csrf, "document": doc_id, "action": "show", "start": target["start"], "end": target["end"]})
    assert again.status_code == 400


def test_bad_redaction_requests(reviewer):
    client, op_id, doc_id, _text, _ = reviewer
    csrf = csrf_of(client.get(f"/review/operations/{op_id}").text)
    url = f"/review/operations/{op_id}/redaction"
    cases = [
        {"document": doc_id, "action": "hide", "phrase": "words that are not in the source"},
        {"document": doc_id, "action": "hide", "phrase": ""},
        {"document": doc_id, "action": "hide", "phrase": "x" * 300},
        {"document": doc_id, "action": "show", "start": 0, "end": 3},
        {"document": doc_id, "action": "show", "start": "a", "end": "b"},
        {"document": 999999, "action": "hide", "phrase": "Sheffield"},
        {"document": doc_id, "action": "explode"},
        {"document": doc_id, "action": "hide", "phrase": "Sheffield", "kind": "<script>"},
    ]
    for data in cases:
        response = client.post(url, data={"csrf_token": csrf, **data}, follow_redirects=False)
        assert response.status_code in (400, 404), (data, response.status_code)
    for data in ({"document": doc_id, "action": "hide", "phrase": "Sheffield"},
                 {"csrf_token": "wrong", "document": doc_id, "action": "hide", "phrase": "Sheffield"}):
        assert client.post(url, data=data, follow_redirects=False).status_code == 403
    assert "Sheffield" in _public_text(client, op_id)
