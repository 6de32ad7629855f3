"""The `raidwatch` command.

Exit codes scripts can rely on:
  0  success
  1  the command ran but some inputs failed (named on stderr)
  2  bad usage or unusable input (nothing was changed)
  3  the database could not be opened or written
  130 interrupted (what was committed before stays committed)
"""
from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path

from . import __version__

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_DB, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

DESCRIPTION = """\
raidwatch turns news articles and police press releases about "anti-trafficking"
raids, stings and sweeps into a dataset of operations: who did what, where, when,
how many people were arrested and for what, how many were called victims, and
the sentence every figure came from.
"""

EXAMPLES = """\
typical session:
  raidwatch ingest examples/                 read a folder of articles into ./raidwatch.sqlite
  raidwatch operations                       list the operations found (reports linked across documents)
  raidwatch show-operation 3                 every field of operation 3, its sources and any disagreement
  raidwatch show example-us-sheriff-release  see each value with the sentence it came from
  raidwatch export --format csv -o ops.csv   export one row per operation
  raidwatch predict article.txt              print the gold-format JSON, no database
  raidwatch eval ../shared/corpus/dev        score against annotated documents
  raidwatch users add alice                  a reviewer account for the web app's /review pages
  raidwatch keys generate --out keys/        the key pair that seals testimony sent to /testimony

The database is ./raidwatch.sqlite unless --db or RAIDWATCH_DB says otherwise;
--db also accepts postgresql://user@host/dbname.
"""


class CliError(Exception):
    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


def _err(message: str) -> None:
    print(f"raidwatch: {message}", file=sys.stderr)


def _open_store(args):
    from .store import Store, StoreError, default_db_path
    url = args.db or default_db_path()
    try:
        return Store.open(str(url))
    except StoreError as exc:
        raise CliError(str(exc), EXIT_DB) from None


def _print_json(value) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def _done(args, data, message: str) -> int:
    """A command's result: `data` as JSON with --json, else the `message` line(s); exit code 0."""
    if args.json:
        _print_json(data)
    else:
        print(message)
    return EXIT_OK


# ---------------------------------------------------------------- commands


def cmd_ingest(args) -> int:
    from .pipeline import ingest_into
    store = _open_store(args)
    with store:
        summary = ingest_into(store, args.paths, run_extract=not args.no_extract,
                              max_bytes=int(args.max_size * 1024 * 1024), progress=not args.json,
                              on_error=lambda e: _err(f"skipped {e.path}: {e.reason}"))
    if args.json:
        _print_json(summary.as_dict())
    else:
        print(f"{summary.files} file(s) read: {summary.documents_added} new document(s), "
              f"{summary.documents_known} already stored, {summary.extracted} extracted, "
              f"{len(summary.errors)} input(s) failed.")
        if summary.linking:
            print(_link_line(summary.linking))
    if summary.errors:
        return EXIT_PARTIAL
    return EXIT_OK


def cmd_extract(args) -> int:
    from .pipeline import extract_stored
    with _open_store(args) as store:
        done = extract_stored(store, everything=args.all, progress=not args.json)
    return _done(args, {"documents_extracted": done}, f"{done} document(s) extracted.")


def _link_line(linking) -> str:
    return (f"Linking: {linking.placed} report(s) placed, {linking.joined} joined an existing operation, "
            f"{linking.new_operations} new operation(s).")


def cmd_link(args) -> int:
    from .pipeline import link_stored
    with _open_store(args) as store:
        summary = link_stored(store, rebuild=args.rebuild, progress=not args.json)
    return _done(args, summary.as_dict(), _link_line(summary))


def cmd_show_operation(args) -> int:
    from .showing import render_operation
    with _open_store(args) as store:
        op = store.operation(args.operation)
    if op is None:
        raise CliError(f"no operation {args.operation} (see `raidwatch operations` for the ids)")
    if op["id"] != args.operation:
        _err(f"operation {args.operation} was merged into operation {op['id']}; showing that one")
    if args.json:
        _print_json(op)
    else:
        sys.stdout.write(render_operation(op))
    return EXIT_OK


def _refs(items: list[str]) -> list[tuple[int, int]]:
    refs = []
    for item in items:
        doc, _, index = item.partition(":")
        if not (doc.isdigit() and (index or "0").isdigit()):
            raise CliError(f"{item!r} is not a report reference: give DOCUMENT_ID or DOCUMENT_ID:REPORT_INDEX")
        refs.append((int(doc), int(index or 0)))
    return refs


def cmd_review(args) -> int:
    from .store import OperationNotFound
    with _open_store(args) as store:
        try:
            if args.action == "merge":
                store.merge_operations(args.keep, args.absorb, args.by, args.note)
                message = f"operation {args.absorb} merged into {args.keep}"
                result = {"operation": args.keep, "merged": args.absorb}
            elif args.action == "split":
                new_id = store.split_operation(args.operation, _refs(args.reports), args.by, args.note)
                message = f"{len(args.reports)} report(s) split from operation {args.operation} into operation {new_id}"
                result = {"operation": args.operation, "new_operation": new_id}
            elif args.action == "lock":
                try:
                    value = json.loads(args.value)
                except json.JSONDecodeError:
                    value = args.value  # a bare word is a string
                store.lock_field(args.operation, args.field, value, args.by, args.note)
                message = f"{args.field} of operation {args.operation} locked to {json.dumps(value)}"
                result = {"operation": args.operation, "field": args.field, "value": value}
            else:
                store.unlock_field(args.operation, args.field, args.by, args.note)
                message = f"{args.field} of operation {args.operation} unlocked"
                result = {"operation": args.operation, "field": args.field}
        except OperationNotFound as exc:
            raise CliError(str(exc)) from None
        except ValueError as exc:
            raise CliError(str(exc)) from None
    return _done(args, result, message)


def _read_password(args) -> str:
    """The new password from stdin (--password-stdin, first line) or asked
    twice without echo."""
    if args.password_stdin:
        line = sys.stdin.readline()
        password = line.removesuffix("\n").removesuffix("\r")
        if not password:
            raise CliError("--password-stdin: no password on standard input")
        return password
    import getpass
    if not sys.stdin.isatty():
        raise CliError("no terminal to ask for the password; use --password-stdin")
    try:
        first = getpass.getpass("New password (at least 12 characters): ")
        second = getpass.getpass("Same password again: ")
    except EOFError:
        raise CliError("no password given") from None
    if first != second:
        raise CliError("the two passwords differ; nothing was changed")
    return first


def cmd_users(args) -> int:
    from .store import accounts
    with _open_store(args) as store:
        if args.action == "passwd" and accounts.get_user(store, args.name) is None:
            raise CliError(f"there is no user named {args.name.strip()!r} (see `raidwatch users list`)")
        if args.action in ("add", "passwd"):
            password = _read_password(args)
        try:
            if args.action == "add":
                user_id = accounts.add_user(store, args.name, password)
                message = f"user {args.name.strip()!r} added (id {user_id}); they can log in at /login"
                result = {"id": user_id, "name": args.name.strip()}
            elif args.action == "passwd":
                accounts.set_password(store, args.name, password)
                message = f"password of {args.name.strip()!r} changed; their sessions were ended"
                result = {"name": args.name.strip(), "changed": True}
            else:
                users = accounts.list_users(store)
                result = {"users": [
                    {"id": u.id, "name": u.name, "created_at": u.created_at.isoformat(),
                     "failed_logins": u.failed_logins,
                     "locked_until": u.locked_until.isoformat() if u.locked_until else None}
                    for u in users
                ]}
                lines = [f"{u.id:>4}  {u.name}  (since {u.created_at:%Y-%m-%d}"
                         + (f", locked until {u.locked_until:%Y-%m-%d %H:%M} UTC" if u.locked_until
                            and u.locked_until > accounts.utcnow() else "") + ")" for u in users]
                message = "\n".join(lines) or "No users yet. Add one with `raidwatch users add NAME`."
        except ValueError as exc:
            raise CliError(str(exc)) from None
    return _done(args, result, message)


def cmd_serve(args) -> int:
    import os

    import uvicorn

    from .testimony import KeyFileError
    from .testimony.crypto import key_id, public_key_from
    from .web import create_app
    if not 0 < args.port < 65536:
        raise CliError(f"--port must be between 1 and 65535, got {args.port}")
    source = args.testimony_key or os.environ.get("RAIDWATCH_TESTIMONY_KEY", "").strip() or None
    public_key = None
    if source:
        try:
            public_key = public_key_from(source)
        except KeyFileError as exc:
            where = "--testimony-key" if args.testimony_key else "RAIDWATCH_TESTIMONY_KEY"
            raise CliError(f"{where}: {exc}") from None
    store = _open_store(args)
    app = create_app(store=store, testimony_public_key=public_key)
    print(f"raidwatch: serving {store.url} on http://{args.host}:{args.port}/ (Ctrl+C stops)", file=sys.stderr)
    if public_key is None:
        print("raidwatch: /testimony is not accepting testimony (no --testimony-key)", file=sys.stderr)
    else:
        print(f"raidwatch: /testimony seals testimony to key {key_id(public_key)}", file=sys.stderr)
    # proxy_headers off: uvicorn would otherwise believe X-Forwarded-For from
    # loopback and log whatever address a client claims.
    uvicorn.run(app, host=args.host, port=args.port, proxy_headers=False, forwarded_allow_ips="",
                server_header=False, log_level="warning" if args.quiet else "info", access_log=not args.quiet)
    return EXIT_OK


def cmd_keys(args) -> int:
    from .testimony.crypto import write_key_pair
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CliError(f"--out {out} is a file, not a folder")
    try:
        public_path, private_path, kid = write_key_pair(out, force=args.force)
    except FileExistsError as exc:
        raise CliError(f"{exc} already exists; nothing was written. Use --force to replace the key pair "
                       "(testimony sealed to the old key then needs the old private key to be read)") from None
    except OSError as exc:
        raise CliError(f"cannot write the keys into {out}: {exc.strerror}") from None
    if args.json:
        _print_json({"public_key": str(public_path), "private_key": str(private_path), "key_id": kid})
        return EXIT_OK
    print(textwrap.dedent(f"""\
        Key pair written (key id {kid}):

          {public_path}
              The PUBLIC key. It goes on the server:
                raidwatch serve --testimony-key {public_path.name}
              (or RAIDWATCH_TESTIMONY_KEY=/path/to/{public_path.name}). It can only lock
              testimony, never open it.

          {private_path}
              The PRIVATE key (readable only by you). It must NEVER go on the server.
              Keep it on a reviewer's own computer, with a copy somewhere safe and
              offline: without it no testimony can ever be read, and anyone who has it
              can read all of it. Reviewers open testimony with:
                raidwatch testimony export --key {private_path.name} --db COPY_OF_THE_DATABASE"""))
    return EXIT_OK


def cmd_testimony(args) -> int:
    if args.action == "count":
        return _testimony_count(args)
    return _testimony_export(args)


def _testimony_count(args) -> int:
    from .testimony.intake import counts
    with _open_store(args) as store:
        found = counts(store)
    if args.json:
        _print_json({"testimonies": [{"key_id": k, "received_on": d, "count": n} for k, d, n in found],
                     "total": sum(n for _, _, n in found)})
        return EXIT_OK
    if not found:
        print("No testimony stored.")
        return EXIT_OK
    for key, day, number in found:
        print(f"{day}  key {key}  {number}")
    print(f"{sum(n for _, _, n in found)} testimony(ies) in all")
    return EXIT_OK


def _private_file(path: Path):
    import os
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    fd = os.open(path, flags, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "w", encoding="utf-8")


def _testimony_export(args) -> int:
    import base64
    import os

    from .testimony import KeyFileError, WrongKey, load_private_key, open_sealed
    from .testimony.crypto import key_id
    from .testimony.intake import rows
    from .testimony.submission import read_payload
    try:
        private = load_private_key(args.key)
    except KeyFileError as exc:
        raise CliError(f"--key {exc}") from None
    mine = key_id(private.public_key)
    images_dir = Path(args.images_dir) if args.images_dir else None
    if images_dir is not None:
        try:
            images_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise CliError(f"cannot create --images-dir {images_dir}: {exc.strerror}") from None
    to_file = bool(args.output and args.output != "-")
    target = Path(args.output) if to_file else None
    exported = skipped = damaged = 0
    other_keys: set[str] = set()
    with _open_store(args) as store:
        try:
            out = _private_file(target.with_name(target.name + ".partial")) if to_file else sys.stdout
        except OSError as exc:
            raise CliError(f"cannot write {target}: {exc.strerror}") from None
        try:
            for row_id, received_on, row_key, ciphertext in rows(store):
                if row_key != mine:
                    skipped += 1
                    other_keys.add(row_key)
                    continue
                try:
                    record = read_payload(open_sealed(private, ciphertext))
                except (WrongKey, ValueError):
                    damaged += 1
                    _err(f"testimony {row_id} could not be opened with this key (damaged?); skipped")
                    continue
                record = {"id": row_id, "received_on": received_on, "key_id": row_key, **record}
                for n, photo in enumerate(record.get("photos") or [], 1):
                    if images_dir is not None:
                        path = images_dir / f"testimony-{row_id}-{n}.{photo.get('extension') or 'img'}"
                        with _private_file(path) as fh:
                            fh.buffer.write(base64.b64decode(photo.pop("data")))
                        photo["file"] = str(path)
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                exported += 1
        except OSError as exc:
            raise CliError(f"cannot write the export: {exc.strerror}") from None
        finally:
            if to_file:
                out.close()
    if to_file:
        partial = target.with_name(target.name + ".partial")
        if exported:
            partial.replace(target)
        else:
            os.unlink(partial)
    if exported == 0 and (skipped or damaged):
        raise CliError(f"none of the {skipped + damaged} stored testimony(ies) can be opened with this key "
                       f"(key id {mine}); they were sealed to key id(s) {', '.join(sorted(other_keys)) or mine}. "
                       "Is this the right private key?")
    summary = {"exported": exported, "other_keys": skipped, "damaged": damaged, "key_id": mine,
               "output": str(target) if to_file else None}
    if args.json and to_file:
        _print_json(summary)
    else:
        print(f"{exported} testimony(ies) opened"
              + (f" and written to {target}" if to_file else "")
              + (f"; {skipped} sealed to other keys skipped" if skipped else "")
              + (f"; {damaged} could not be opened" if damaged else ""), file=sys.stderr)
    return EXIT_PARTIAL if damaged else EXIT_OK


def cmd_operations(args) -> int:
    with _open_store(args) as store:
        ops = store.operations()
    if args.json:
        _print_json({"operations": ops})
        return EXIT_OK
    if not ops:
        print("No operations stored yet. Run `raidwatch ingest PATH` first.")
        return EXIT_OK
    for op in ops:
        counts = {k: v for k, v in op["counts"].items() if v is not None}
        place = ", ".join(p for p in (op["place"]["locality"], op["place"]["admin1"], op["place"]["country"]) if p)
        when = op["date"]["start"] or "date unknown"
        if op["date"]["end"] and op["date"]["end"] != op["date"]["start"]:
            when += f" to {op['date']['end']}"
        print(f"#{op['id']}  {op.get('name') or '(no name)'}  |  {place or 'place unknown'}  |  {when}")
        if op.get("disputed"):
            print(f"     disputed: {', '.join(op['disputed'])} (see `raidwatch show-operation {op['id']}`)")
        if op["agencies"]:
            print(f"     agencies: {'; '.join(op['agencies'])}")
        if counts:
            print("     counts:   " + ", ".join(f"{k}={v}" for k, v in counts.items()))
        print("     sources:  " + "; ".join(s.get("title") or s.get("source_id") or "?" for s in op["sources"]))
    return EXIT_OK


def cmd_export(args) -> int:
    from . import export
    from .publish import public_operations
    with _open_store(args) as store:
        ops = public_operations(store, with_claims=args.with_claims)  # redacted: exports are public
    writer = {"csv": export.to_csv, "json": export.to_json, "geojson": export.to_geojson}[args.format]
    output = writer(ops)
    if args.output and args.output != "-":
        target = Path(args.output)
        try:
            tmp = target.with_name(target.name + ".partial")
            tmp.write_text(output, encoding="utf-8")
            tmp.replace(target)
        except OSError as exc:
            raise CliError(f"cannot write {target}: {exc.strerror}") from None
        print(f"{len(ops)} operation(s) written to {target}", file=sys.stderr)
    else:
        sys.stdout.write(output)
    return EXIT_OK


def cmd_predict(args) -> int:
    from .pipeline import predict_records
    failed = []

    def on_error(e):
        failed.append(e)
        _err(f"skipped {e.path}: {e.reason}")

    for record in predict_records(args.paths, link=not args.no_link, on_error=on_error):
        print(json.dumps(record, ensure_ascii=False))
    return EXIT_PARTIAL if failed else EXIT_OK


def cmd_eval(args) -> int:
    from .evaluate import EvalInputError, format_json, format_text, load_gold_corpus, score
    from .extract import extract
    from .ingest import read
    from .model import Document, gold_record
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        raise CliError(f"{corpus} is not a directory (expected a folder with *.gold.jsonl and .txt files)")
    try:
        pairs = load_gold_corpus(corpus)
    except EvalInputError as exc:
        raise CliError(str(exc)) from None
    from .pipeline import link_in_memory
    golds, predicted = [], []
    for gold, txt_path in pairs:
        golds.append(gold)
        items = [i for i in read(txt_path) if isinstance(i, Document)]
        if not items:
            _err(f"could not read {txt_path}; scored as predicted irrelevant")
            continue
        doc = items[0]
        predicted.append((doc, extract(doc)))
    preds = [gold_record(doc, extraction, keys)
             for (doc, extraction), keys in zip(predicted, link_in_memory(predicted))]
    result = score(golds, preds)
    sys.stdout.write(format_json(result) if args.json else format_text(result, args.max_disagreements))
    return EXIT_OK


def cmd_show(args) -> int:
    from .showing import render_document
    with _open_store(args) as store:
        stored = store.get_document(args.document)
        if stored is None:
            raise CliError(f"no stored document matches {args.document!r} "
                           "(give its number, its source name such as the file stem, or 8+ characters of its hash)")
        extraction = store.load_extraction(stored.id)
    if args.json:
        from .showing import document_as_json
        _print_json(document_as_json(stored, extraction))
    else:
        sys.stdout.write(render_document(stored, extraction))
    return EXIT_OK


# ---------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="raidwatch", description=DESCRIPTION, epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"raidwatch {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="URL_OR_PATH",
                        help="database: a SQLite file path or postgresql://... (default: $RAIDWATCH_DB or ./raidwatch.sqlite)")
    common.add_argument("--json", action="store_true", help="print machine-readable JSON instead of text")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name, help_text, func, description=None, parents=(common,)):
        p = sub.add_parser(name, help=help_text, description=description or help_text, parents=list(parents),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        p.set_defaults(func=func)
        return p

    p = add("ingest", "read documents (files or folders) into the database and extract them", cmd_ingest,
            textwrap.dedent("""\
                Read .txt, .html/.htm, .json and .jsonl files (folders are searched recursively),
                store each document once by content hash, and extract its operations.
                Bad files are named on stderr and skipped; the exit code is then 1.

                example: raidwatch ingest examples/ news-2024.jsonl"""))
    p.add_argument("paths", nargs="+", metavar="PATH", help="file or folder to read")
    p.add_argument("--no-extract", action="store_true", help="only store the documents; run `raidwatch extract` later")
    p.add_argument("--max-size", type=float, default=5.0, metavar="MB", help="skip files larger than this (default 5 MB)")

    p = add("extract", "(re-)extract stored documents after a rule change", cmd_extract,
            "Extract every stored document whose results came from an older extractor version\n"
            "(the version includes a hash of the rule files). Previous results are replaced.")
    p.add_argument("--all", action="store_true", help="re-extract every document, even if up to date")

    add("operations", "list the stored operations", cmd_operations)

    p = add("serve", "run the web app: dashboard, operation pages, JSON API, downloads, reviewers' queue",
            cmd_serve,
            "Serve the database on http://HOST:PORT/ (default http://127.0.0.1:8000/).\n"
            "The JSON API is under /api/v1/ (docs at /api/v1/docs).\n\n"
            "The testimony form /testimony accepts testimony only with --testimony-key;\n"
            "requests to it are left out of the access log.\n\n"
            "examples:\n"
            "  raidwatch serve --db demo.sqlite --port 8080\n"
            "  raidwatch serve --testimony-key /etc/raidwatch/testimony.public")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--quiet", action="store_true", help="no access log")
    p.add_argument("--testimony-key", metavar="PUBLIC_KEY_FILE",
                   help="accept testimony at /testimony, sealed to this public key (from `raidwatch keys "
                        "generate`; default $RAIDWATCH_TESTIMONY_KEY). Without one the form says it is not "
                        "accepting testimony. Never give the server the private key.")

    p = add("link", "group stored reports of the same operation (also runs after ingest and extract)", cmd_link,
            textwrap.dedent("""\
                Put every report that is not yet in an operation into the operation it matches
                (agencies, place, dates, name, tactics, counts, text similarity), or a new one.
                Operation ids never change; reviewers' merges, splits and locks are respected.

                --rebuild re-links every report from scratch (after a change of linking rules);
                each operation keeps its id when most of its reports stay together, and an id
                whose reports all moved leads to the operation that took them."""))
    p.add_argument("--rebuild", action="store_true", help="re-link all reports, not only new ones")

    p = add("show-operation", "show one operation: each field's value, why, every source and disagreement",
            cmd_show_operation,
            "Each field shows the displayed value and the reason it was chosen (one source,\n"
            "all sources agree, most recent, most sources, most specific, reviewer); disputed\n"
            "fields list every source's value with the sentence it came from.\n\n"
            "example: raidwatch show-operation 3")
    p.add_argument("operation", type=int, metavar="ID")

    p = add("review", "record a reviewer's decision: merge, split, lock or unlock", cmd_review,
            textwrap.dedent("""\
                Decisions are stored with your name and respected by every later linking run.

                examples:
                  raidwatch review merge 12 15 --by alice          operation 15 joins 12
                  raidwatch review split 12 7:0 9 --by alice       reports 7:0 and 9:0 leave 12
                  raidwatch review lock 12 counts.arrested_total 41 --by alice
                  raidwatch review unlock 12 counts.arrested_total --by alice

                A report is DOCUMENT_ID:REPORT_INDEX (see `raidwatch show-operation ID --json`)."""),
            parents=())
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    reviewer = argparse.ArgumentParser(add_help=False)
    reviewer.add_argument("--by", required=True, metavar="NAME", help="your name, stored with the decision")
    reviewer.add_argument("--note", help="why (stored with the decision)")
    q = actions.add_parser("merge", help="fold operation ABSORB into KEEP", parents=[reviewer, common])
    q.add_argument("keep", type=int, metavar="KEEP")
    q.add_argument("absorb", type=int, metavar="ABSORB")
    q = actions.add_parser("split", help="move reports out of an operation into a new one", parents=[reviewer, common])
    q.add_argument("operation", type=int, metavar="ID")
    q.add_argument("reports", nargs="+", metavar="DOC[:INDEX]")
    q = actions.add_parser("lock", help="fix the value an operation shows for a field", parents=[reviewer, common])
    q.add_argument("operation", type=int, metavar="ID")
    q.add_argument("field", metavar="FIELD", help="e.g. counts.arrested_total, place.locality, name")
    q.add_argument("value", metavar="VALUE", help="JSON (41, true, null, \"Tampa\") or a bare word")
    q = actions.add_parser("unlock", help="let the merge policy choose a field's value again", parents=[reviewer, common])
    q.add_argument("operation", type=int, metavar="ID")
    q.add_argument("field", metavar="FIELD")

    p = add("users", "manage reviewer accounts (for the web app's /review pages)", cmd_users,
            textwrap.dedent("""\
                Reviewers log in at /login to check and correct operations. Passwords are
                hashed with Argon2id and must be at least 12 characters; they are asked twice
                without echo, or read from the first line of standard input.

                examples:
                  raidwatch users add alice                          asks for the password
                  printf '%s\\n' "$PW" | raidwatch users add alice --password-stdin
                  raidwatch users list
                  raidwatch users passwd alice                       also ends alice's sessions"""),
            parents=())
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    password = argparse.ArgumentParser(add_help=False)
    password.add_argument("--password-stdin", action="store_true",
                          help="read the password from the first line of standard input")
    q = actions.add_parser("add", help="create a reviewer account", parents=[password, common])
    q.add_argument("name", metavar="NAME")
    q = actions.add_parser("passwd", help="set a reviewer's password (ends their sessions)", parents=[password, common])
    q.add_argument("name", metavar="NAME")
    actions.add_parser("list", help="list reviewer accounts", parents=[common])

    p = add("keys", "make the organisation's key pair for testimony", cmd_keys,
            textwrap.dedent("""\
                Testimony sent to /testimony is sealed to a public key as soon as it arrives;
                only the matching private key opens it. `generate` writes both into DIR:
                testimony.public for the server, testimony.private (mode 0600) for a
                reviewer's own machine. It never overwrites keys unless --force.

                example: raidwatch keys generate --out ~/raidwatch-keys"""),
            parents=())
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = actions.add_parser("generate", help="write testimony.public and testimony.private", parents=[common])
    q.add_argument("--out", required=True, metavar="DIR", help="folder for the two key files (created if needed)")
    q.add_argument("--force", action="store_true", help="replace existing key files")

    p = add("testimony", "count stored testimony, or open it with the private key", cmd_testimony,
            textwrap.dedent("""\
                The database holds testimony only as ciphertext with the day it arrived and
                the id of the key that sealed it.

                examples:
                  raidwatch testimony count --db copy.sqlite
                  raidwatch testimony export --key testimony.private --db copy.sqlite -o t.jsonl
                  raidwatch testimony export --key testimony.private --images-dir photos/ -o t.jsonl

                export prints one JSON line per testimony it can open ({"id", "received_on",
                "answers": {...}, "photos": [...]}); photos are base64 in the line, or files
                in --images-dir. Testimony sealed to other keys is counted and skipped. Run it
                on your own machine, never on the server; the output is readable only by you
                (mode 0600). Exit code 2 if the key opens none of the stored testimony."""),
            parents=())
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("count", help="how many testimonies are stored, per key and day", parents=[common])
    q = actions.add_parser("export", help="decrypt testimony with the private key into JSON lines",
                           parents=[common])
    q.add_argument("--key", required=True, metavar="PRIVATE_KEY_FILE", help="testimony.private")
    q.add_argument("-o", "--output", metavar="FILE", help="write to FILE (mode 0600) instead of standard output")
    q.add_argument("--images-dir", metavar="DIR", help="write photos as files here instead of base64 in the lines")

    p = add("export", "write the operations as CSV, JSON or GeoJSON", cmd_export,
            "One row (or GeoJSON feature) per operation with its fields and source URLs.\n\n"
            "example: raidwatch export --format geojson -o operations.geojson")
    p.add_argument("--format", choices=("csv", "json", "geojson"), default="csv", help="output format (default csv)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    p.add_argument("--with-claims", action="store_true",
                   help="also every source's value for each field, with its evidence (disputed values included)")

    p = add("predict", "print extraction results as gold-format JSON lines, without a database", cmd_predict,
            "Ingest and extract in memory and print one JSON line per document in the gold\n"
            "format of shared/corpus/SCHEMA.md (id = file stem), for scoring with any scorer.\n"
            "The documents are linked to each other: operations of the same real operation\n"
            "carry the same `key`.\n\n"
            "example: raidwatch predict corpus/dev/*.txt > pred.jsonl",
            parents=())
    p.add_argument("paths", nargs="+", metavar="PATH", help="file or folder to read")
    p.add_argument("--no-link", action="store_true", help="do not link the documents (no `key`)")

    p = add("eval", "score the extractor against an annotated corpus", cmd_eval,
            "Read CORPUS_DIR/*.gold.jsonl and the .txt files beside them, run the same path as\n"
            "`predict`, and print per-field precision/recall/F1, the micro average, relevance,\n"
            "linking and every disagreement (--json: the object described in SCHEMA.md).\n\n"
            "example: raidwatch eval ../shared/corpus/dev --json", parents=())
    p.add_argument("corpus", metavar="CORPUS_DIR")
    p.add_argument("--json", action="store_true", help="print the machine-readable result")
    p.add_argument("--max-disagreements", type=int, default=60, metavar="N", help="disagreements listed (text output)")

    p = add("show", "show a stored document with each extracted value and the text it came from", cmd_show,
            "DOCUMENT is the document's number, its source name (file stem or JSON id) or at\n"
            "least 8 characters of its content hash.\n\nexample: raidwatch show dev-001")
    p.add_argument("document", metavar="DOCUMENT")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.func(args)
    except CliError as exc:
        _err(str(exc))
        return exc.code
    except KeyboardInterrupt:
        _err("interrupted; everything committed before this point is kept")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
