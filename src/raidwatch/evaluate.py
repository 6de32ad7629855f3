"""Scoring core of `raidwatch eval`: predictions against gold annotations.

The gold format and the scoring contract are in shared/corpus/SCHEMA.md. Where
SCHEMA.md leaves room, this module follows the rules of the project's
independent reference scorer (shared/tools/score.py), so that both give the
same numbers on the same files and either can be used to check the other.
In short:

* Only gold documents are scored; a missing prediction is "not relevant, no
  operations, no quotes".
* Operations are paired one to one inside a document by a weighted
  similarity (agencies, name, start date, locality, admin1, country), best
  pair first, ties broken by agreement on the remaining fields; a single
  leftover gold and predicted operation are paired whatever their similarity.
* Every scored field of a compared pair yields tp/fp/fn; strings are compared
  after Unicode, case and punctuation folding, set fields element-wise, and
  agencies once more on a looser form (no possessive "'s", no "the"/"of").
* Linking counts pairs of operations in different documents.

Everything here is pure except `load_gold_corpus`, which reads files.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from raidwatch.model import OPERATION_FIELDS, QUOTE_ROLES, SET_FIELDS

__all__ = [
    "EvalInputError",
    "SCORED_FIELDS",
    "QUOTE_FIELDS",
    "score",
    "match_operations",
    "load_gold_corpus",
    "unknown_prediction_ids",
    "format_text",
    "format_json",
]

# Operation fields that are scored, in report order. `date.precision` and
# `key` are part of the gold format but deliberately not scored.
SCORED_FIELDS: tuple[str, ...] = tuple(f for f in OPERATION_FIELDS if f != "date.precision")
QUOTE_FIELDS: tuple[str, ...] = tuple(f"quotes.{role}" for role in QUOTE_ROLES)

# Operation pairing: what an equal value is worth. Agencies add their overlap
# (a share of 0..1) times AGENCY_OVERLAP_WEIGHT before these are added, in this
# order; the order matters because sums of floats are compared for ties.
AGENCY_OVERLAP_WEIGHT = 2.0
PAIRING_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("name", 3.0),
    ("date.start", 2.0),
    ("place.locality", 2.0),
    ("place.admin1", 1.0),
    ("place.country", 0.5),
)
# Scalar fields that only break ties between equally similar pairs.
TIE_BREAK_FIELDS: tuple[str, ...] = tuple(
    f for f in SCORED_FIELDS if f not in SET_FIELDS and f not in dict(PAIRING_WEIGHTS)
)

# Characters treated as apostrophes: dropped, not turned into spaces, so that
# "Sheriff's" folds to "sheriffs" rather than "sheriff s".
_APOSTROPHES = "'\u2019\u2018\u02bc`"
_APOSTROPHE_SET = frozenset(_APOSTROPHES)
_TRAILING_POSSESSIVE = re.compile(r"(?<=\w)[" + re.escape(_APOSTROPHES) + r"]s\b")
_LOOSE_AGENCY_DROP = frozenset({"the", "of"})


class EvalInputError(Exception):
    """A gold corpus that cannot be read or does not follow the gold format."""


# ---------------------------------------------------------------------------
# Normalisation


def _unicode_fold(text: str) -> str:
    """NFKC before and after case folding: casefold can produce non-NFKC text."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def _drop_punctuation(text: str) -> str:
    """Remove apostrophes, blank out other punctuation, squeeze whitespace."""
    kept = []
    for ch in text:
        if ch in _APOSTROPHE_SET:
            continue
        kept.append(" " if unicodedata.category(ch).startswith("P") else ch)
    return " ".join("".join(kept).split())


def normalise_text(text: str) -> str:
    """The folded form every string comparison uses ("" means null)."""
    folded = _drop_punctuation(_unicode_fold(text))
    return folded[4:] if folded.startswith("the ") else folded


def loose_agency_form(text: str) -> str:
    """Second-chance agency form: "X Sheriff's Office of the Y" ~ "X Sheriff Office Y"."""
    folded = _TRAILING_POSSESSIVE.sub("", _unicode_fold(text))
    return " ".join(w for w in _drop_punctuation(folded).split() if w not in _LOOSE_AGENCY_DROP)


def _comparable(value: Any) -> tuple | None:
    """A typed key for scalar equality, or None for null.

    The type tag keeps true apart from 1 and "5" apart from 5, while 5 and
    5.0 stay equal. Lists or objects where a scalar belongs compare as
    canonical JSON.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return ("number", value)
    if isinstance(value, str):
        folded = normalise_text(value)
        return ("text", folded) if folded else None
    return ("json", json.dumps(value, sort_keys=True, ensure_ascii=False))


def _lookup(obj: Any, path: str) -> Any:
    """Value at a dotted path; None when any step is missing or not an object."""
    for part in path.split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    return obj


def _set_members(value: Any) -> list[str]:
    """Raw members of a set field as strings; a lone value is a one-member set."""
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    return [item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)
            for item in items if item is not None]


def _distinct_forms(members: Iterable[str]) -> dict[str, str]:
    """Normalised form -> first raw member with that form (empty forms dropped)."""
    forms: dict[str, str] = {}
    for raw in members:
        form = normalise_text(raw)
        if form and form not in forms:
            forms[form] = raw
    return forms


# ---------------------------------------------------------------------------
# Field comparison


def _compare_scalars(gold: Any, pred: Any) -> tuple[int, int, int]:
    g, p = _comparable(gold), _comparable(pred)
    if g is None:
        return (0, 0, 0) if p is None else (0, 1, 0)
    if p is None:
        return 0, 0, 1
    return (1, 0, 0) if g == p else (0, 1, 1)


def _compare_sets(gold: Any, pred: Any, loose_agencies: bool = False) -> tuple[int, int, int]:
    """Element-wise tp/fp/fn; agencies left over get one looser matching pass."""
    gold_forms = _distinct_forms(_set_members(gold))
    pred_forms = _distinct_forms(_set_members(pred))
    shared = gold_forms.keys() & pred_forms.keys()
    tp = len(shared)
    if loose_agencies:
        gold_left = Counter(loose_agency_form(raw) for form, raw in gold_forms.items() if form not in shared)
        pred_left = Counter(loose_agency_form(raw) for form, raw in pred_forms.items() if form not in shared)
        gold_left.pop("", None)
        tp += sum(min(n, pred_left[key]) for key, n in gold_left.items())
    return tp, len(pred_forms) - tp, len(gold_forms) - tp


def _compare_field(field: str, gold_op: dict | None, pred_op: dict | None) -> tuple[int, int, int]:
    gold, pred = _lookup(gold_op, field), _lookup(pred_op, field)
    if field in SET_FIELDS:
        return _compare_sets(gold, pred, loose_agencies=field == "agencies")
    return _compare_scalars(gold, pred)


def _same_known(gold_op: dict, pred_op: dict, field: str) -> bool:
    """Both sides give the field and the values are equal."""
    g = _comparable(_lookup(gold_op, field))
    return g is not None and g == _comparable(_lookup(pred_op, field))


def _overlap(tp: int, fp: int, fn: int) -> float:
    """Jaccard share of a set comparison (0.0 when nothing is shared)."""
    return tp / (tp + fp + fn) if tp else 0.0


# ---------------------------------------------------------------------------
# Operation pairing


def _similarity(gold_op: dict, pred_op: dict) -> float:
    """How strongly two operations of one document look like the same action."""
    total = 0.0
    tp, fp, fn = _compare_sets(gold_op.get("agencies"), pred_op.get("agencies"), loose_agencies=True)
    if tp:
        total += AGENCY_OVERLAP_WEIGHT * tp / (tp + fp + fn)
    for field, weight in PAIRING_WEIGHTS:
        if _same_known(gold_op, pred_op, field):
            total += weight
    return total


def _agreement(gold_op: dict, pred_op: dict) -> float:
    """Agreement on the fields pairing ignores; only used to order equal similarities."""
    total = 0.0
    for field in ("tactics", "venues"):
        total += _overlap(*_compare_sets(gold_op.get(field), pred_op.get(field)))
    for field in TIE_BREAK_FIELDS:
        if _same_known(gold_op, pred_op, field):
            total += 1.0
    return total


def match_operations(gold_ops: list[dict], pred_ops: list[dict]) -> list[tuple[int, int]]:
    """One-to-one (gold index, predicted index) pairs of one document, sorted.

    Greedy: the most similar unused pair wins; pairs with no similarity are
    never candidates, except that one gold and one predicted operation left
    alone at the end are paired (so a one-operation document whose place and
    agencies were both missed is still scored field by field).
    """
    candidates = []
    for gi, gold_op in enumerate(gold_ops):
        for pi, pred_op in enumerate(pred_ops):
            similarity = _similarity(gold_op, pred_op)
            if similarity > 0:
                candidates.append((-similarity, -_agreement(gold_op, pred_op), gi, pi))
    candidates.sort()
    pairs: list[tuple[int, int]] = []
    taken_gold: set[int] = set()
    taken_pred: set[int] = set()
    for _, _, gi, pi in candidates:
        if gi in taken_gold or pi in taken_pred:
            continue
        pairs.append((gi, pi))
        taken_gold.add(gi)
        taken_pred.add(pi)
    gold_left = [i for i in range(len(gold_ops)) if i not in taken_gold]
    pred_left = [i for i in range(len(pred_ops)) if i not in taken_pred]
    if len(gold_left) == 1 and len(pred_left) == 1:
        pairs.append((gold_left[0], pred_left[0]))
    return sorted(pairs)


# ---------------------------------------------------------------------------
# Tallies


@dataclass
class _Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, counts: tuple[int, int, int]) -> None:
        self.tp += counts[0]
        self.fp += counts[1]
        self.fn += counts[2]

    def as_dict(self) -> dict[str, Any]:
        return _prf(self.tp, self.fp, self.fn)


def _prf(tp: int, fp: int, fn: int) -> dict[str, Any]:
    """Counts with precision, recall and F1; 0.0 where undefined, 4 decimals."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return {"tp": tp, "fp": fp, "fn": fn,
            "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


# ---------------------------------------------------------------------------
# Linking


def _as_link_id(value: Any) -> str | None:
    """A link id as text; null and blank ids mean "not linked"."""
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value)
    return text if text.strip() else None


def _predicted_link_id(op: dict) -> str | None:
    """`key`, or `operation_id` when `key` is absent or null (a blank key is no link)."""
    value = op.get("key")
    return _as_link_id(op.get("operation_id") if value is None else value)


def _cross_document_pairs(doc_indexes: Iterable[int]) -> int:
    """Pairs among these operations (given by document index) from different documents."""
    per_doc = Counter(doc_indexes)
    n = sum(per_doc.values())
    return n * (n - 1) // 2 - sum(k * (k - 1) // 2 for k in per_doc.values())


@dataclass
class _LinkInput:
    gold_keys: list[str | None]  # gold key per gold operation
    pred_links: list[tuple[str, str | None]]  # (predicted link id, gold key of its match)


def _score_linking(documents: list[_LinkInput]) -> dict[str, Any] | None:
    """Pairwise linking score; None when no prediction carries a link id.

    Pairs are counted per group, never listed, so one id on thousands of
    operations stays cheap.
    """
    gold_docs_by_key: dict[str, list[int]] = {}
    predicted: dict[str, list[tuple[int, str | None]]] = {}
    for d, doc in enumerate(documents):
        for key in doc.gold_keys:
            if key is not None:
                gold_docs_by_key.setdefault(key, []).append(d)
        for link, gold_key in doc.pred_links:
            predicted.setdefault(link, []).append((d, gold_key))
    if not predicted:
        return None
    gold_pairs = sum(_cross_document_pairs(docs) for docs in gold_docs_by_key.values())
    tp = fp = 0
    for members in predicted.values():
        correct: dict[str, list[int]] = {}
        for d, gold_key in members:
            if gold_key is not None:
                correct.setdefault(gold_key, []).append(d)
        good = sum(_cross_document_pairs(docs) for docs in correct.values())
        tp += good
        fp += _cross_document_pairs(d for d, _ in members) - good
    return _prf(tp, fp, gold_pairs - tp)


# ---------------------------------------------------------------------------
# Scoring


def _disagreement(doc_id: Any, field: str, gold: Any, predicted: Any) -> dict[str, Any]:
    return {"document": doc_id, "field": field, "gold": gold, "predicted": predicted}


def unknown_prediction_ids(gold_docs: list[dict], pred_docs: list[dict]) -> list[Any]:
    """Predicted document ids that are not in gold (ignored by `score`; worth a warning)."""
    gold_ids = {doc.get("id") for doc in gold_docs}
    return [doc.get("id") for doc in pred_docs if doc.get("id") not in gold_ids]


def score(gold_docs: list[dict], pred_docs: list[dict]) -> dict[str, Any]:
    """Score predicted documents against gold ones (both in the gold format).

    Returns the machine-readable result of SCHEMA.md: documents, relevance,
    fields (operation fields then quote roles), micro (operation fields
    only), linking (None when unscored), quotes_exact_docs, disagreements.
    """
    predictions: dict[Any, dict] = {}
    for doc in pred_docs:
        predictions[doc.get("id")] = doc

    relevance = _Tally()
    fields = {name: _Tally() for name in (*SCORED_FIELDS, *QUOTE_FIELDS)}
    disagreements: list[dict[str, Any]] = []
    link_inputs: list[_LinkInput] = []
    quoted_docs = exact_quote_docs = 0

    for gold in gold_docs:
        doc_id = gold.get("id")
        pred = predictions.get(doc_id)

        # Relevance: only the JSON value true counts as relevant.
        gold_relevant = gold.get("relevant") is True
        pred_relevant = pred is not None and pred.get("relevant") is True
        relevance.add((int(gold_relevant and pred_relevant),
                       int(pred_relevant and not gold_relevant),
                       int(gold_relevant and not pred_relevant)))
        if gold_relevant != pred_relevant:
            disagreements.append(_disagreement(doc_id, "relevant", gold.get("relevant"),
                                               None if pred is None else pred.get("relevant")))

        # Operations: scored whatever the predicted relevance says.
        gold_ops = gold.get("operations") or []
        pred_ops = (pred.get("operations") or []) if pred is not None else []
        pairs = match_operations(gold_ops, pred_ops)
        pred_of_gold = dict(pairs)
        gold_of_pred = {pi: gi for gi, pi in pairs}
        compared: list[tuple[dict | None, dict | None]] = [
            (gold_op, pred_ops[pred_of_gold[gi]] if gi in pred_of_gold else None)
            for gi, gold_op in enumerate(gold_ops)
        ]
        compared += [(None, pred_op) for pi, pred_op in enumerate(pred_ops) if pi not in gold_of_pred]
        for gold_op, pred_op in compared:
            for field in SCORED_FIELDS:
                counts = _compare_field(field, gold_op, pred_op)
                fields[field].add(counts)
                if counts[1] or counts[2]:
                    disagreements.append(_disagreement(doc_id, field, _lookup(gold_op, field),
                                                       _lookup(pred_op, field)))

        gold_keys = [_as_link_id(op.get("key")) for op in gold_ops]
        pred_links = []
        for pi, pred_op in enumerate(pred_ops):
            link = _predicted_link_id(pred_op)
            if link is not None:
                gi = gold_of_pred.get(pi)
                pred_links.append((link, None if gi is None else gold_keys[gi]))
        link_inputs.append(_LinkInput(gold_keys, pred_links))

        # Quotes: only documents whose gold was annotated for quotes.
        gold_quotes = gold.get("quotes")
        if not isinstance(gold_quotes, dict) or all(gold_quotes.get(r) is None for r in QUOTE_ROLES):
            continue
        pred_quotes = pred.get("quotes") if pred is not None else None
        has_pred_quotes = isinstance(pred_quotes, dict)
        quoted_docs += 1
        exact = has_pred_quotes
        for role in QUOTE_ROLES:
            gold_value = gold_quotes.get(role)
            if gold_value is None:
                continue
            pred_value = pred_quotes.get(role, 0) if has_pred_quotes else None
            counts = _compare_scalars(gold_value, pred_value)
            fields[f"quotes.{role}"].add(counts)
            if counts[1] or counts[2]:
                exact = False
                disagreements.append(_disagreement(doc_id, f"quotes.{role}", gold_value, pred_value))
        exact_quote_docs += int(exact)

    micro = _Tally()
    for field in SCORED_FIELDS:
        tally = fields[field]
        micro.add((tally.tp, tally.fp, tally.fn))

    return {
        "documents": len(gold_docs),
        "relevance": relevance.as_dict(),
        "fields": {name: tally.as_dict() for name, tally in fields.items()},
        "micro": micro.as_dict(),
        "linking": _score_linking(link_inputs),
        "quotes_exact_docs": round(exact_quote_docs / quoted_docs, 4) if quoted_docs else 0.0,
        "disagreements": disagreements,
    }


# ---------------------------------------------------------------------------
# Input


def _check_gold_line(doc: Any, where: str, seen: dict[str, str]) -> dict:
    """The structure scoring relies on; raises EvalInputError naming the line."""
    if not isinstance(doc, dict):
        raise EvalInputError(f"{where}: expected a JSON object, got {type(doc).__name__}")
    doc_id = doc.get("id")
    if not isinstance(doc_id, str) or not doc_id.strip():
        raise EvalInputError(f'{where}: missing or non-string "id"')
    if doc_id in seen:
        raise EvalInputError(f'{where}: duplicate id "{doc_id}" (first seen at {seen[doc_id]})')
    if "/" in doc_id or "\\" in doc_id or doc_id in {".", ".."}:
        raise EvalInputError(f'{where}: id "{doc_id}" cannot name a file beside the gold file')
    operations = doc.get("operations")
    if operations is not None and not isinstance(operations, list):
        raise EvalInputError(f'{where} ({doc_id}): "operations" must be a list')
    for number, op in enumerate(operations or [], 1):
        if not isinstance(op, dict):
            raise EvalInputError(f"{where} ({doc_id}): operation {number} is not a JSON object")
    quotes = doc.get("quotes")
    if quotes is not None and not isinstance(quotes, dict):
        raise EvalInputError(f'{where} ({doc_id}): "quotes" must be an object or null')
    return doc


def load_gold_corpus(corpus_dir: Path) -> list[tuple[dict, Path]]:
    """Every gold document of a corpus directory with the path of its text.

    Reads each `*.gold.jsonl` directly in `corpus_dir` (sorted by name); the
    text of document `<id>` must be `<id>.txt` beside its gold file.
    """
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise EvalInputError(f"corpus directory {corpus_dir} does not exist or is not a directory")
    gold_files = sorted(corpus_dir.glob("*.gold.jsonl"))
    if not gold_files:
        raise EvalInputError(f"no *.gold.jsonl file in {corpus_dir}")
    seen: dict[str, str] = {}
    loaded: list[tuple[dict, Path]] = []
    for gold_file in gold_files:
        try:
            lines = gold_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise EvalInputError(f"cannot read gold file {gold_file}: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            raise EvalInputError(f"gold file {gold_file} is not UTF-8 text: {exc}") from None
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"gold file {gold_file}, line {number}"
            try:
                parsed = json.loads(line)
            except json.JSONDecodeError as exc:
                raise EvalInputError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
            doc = _check_gold_line(parsed, where, seen)
            seen[doc["id"]] = where
            text_path = gold_file.parent / f"{doc['id']}.txt"
            if not text_path.is_file():
                raise EvalInputError(f"{where}: text file {text_path} for \"{doc['id']}\" is missing")
            loaded.append((doc, text_path))
    return loaded


# ---------------------------------------------------------------------------
# Output


def _brief(value: Any, width: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def format_text(result: dict, max_disagreements: int = 50) -> str:
    """Human-readable report: field table, summary lines, then disagreements."""
    name_width = max(len("micro (operation fields)"), *(len(f) for f in result["fields"]))
    head = f"{'field':<{name_width}}  {'tp':>5} {'fp':>5} {'fn':>5}  {'P':>6} {'R':>6} {'F1':>6}"
    rule = "=" * len(head)

    def row(label: str, tally: dict) -> str:
        return (f"{label:<{name_width}}  {tally['tp']:>5} {tally['fp']:>5} {tally['fn']:>5}  "
                f"{tally['precision']:>6.4f} {tally['recall']:>6.4f} {tally['f1']:>6.4f}")

    lines = [f"Documents scored: {result['documents']}", "", head, rule]
    quote_rows = [(f, t) for f, t in result["fields"].items() if f.startswith("quotes.")]
    lines += [row(f, t) for f, t in result["fields"].items() if not f.startswith("quotes.")]
    lines.append("-" * len(head))
    lines.append(row("micro (operation fields)", result["micro"]))
    lines.append(rule)
    lines += [row(f, t) for f, t in quote_rows]
    lines.append(rule)
    lines.append(row("relevance", result["relevance"]))
    if result["linking"] is None:
        lines.append(f"{'linking (pairs)':<{name_width}}  not scored: no predicted operation carries a link id")
    else:
        lines.append(row("linking (pairs)", result["linking"]))
    lines.append(f"{'quotes exact (documents)':<{name_width}}  {result['quotes_exact_docs']:.4f}")

    found = result["disagreements"]
    shown = found[:max(0, max_disagreements)]
    title = f"Disagreements: {len(found)}"
    if len(shown) < len(found):
        title += f" (showing the first {len(shown)})"
    lines += ["", title]
    for d in shown:
        lines.append(f"  {d['document']}  {d['field']}: gold {_brief(d['gold'])} | predicted {_brief(d['predicted'])}")
    return "\n".join(lines) + "\n"


def format_json(result: dict) -> str:
    """The result object as indented JSON (SCHEMA.md "Machine-readable result")."""
    return json.dumps(result, indent=2, ensure_ascii=False) + "\n"
