#!/usr/bin/env bash
# Throwaway PostgreSQL server for the test suite.
#
#   eval "$(scripts/pg-test-server.sh start)"   # starts it, exports RAIDWATCH_TEST_POSTGRES_URL
#   .venv/bin/pytest
#   eval "$(scripts/pg-test-server.sh stop)"    # stops it, deletes its data, unsets the variable
#
#   scripts/pg-test-server.sh status            # is it running? (exit 0 = yes)
#
# `start` creates a new cluster in a temporary directory (initdb, trust
# authentication on loopback only), starts it with pg_ctl on a free port on
# 127.0.0.1 with its own socket directory, creates the database
# `raidwatch_test` and prints `export ...` lines on stdout (everything else
# goes to stderr, so the output can be eval'ed). Calling `start` again while
# the server runs just prints the lines again. The data directory is recorded
# in $STATE_FILE; `stop` stops the server and removes that directory.
#
# It never touches the system's clusters (no pg_ctlcluster, no
# /var/lib/postgresql, no port 5432 unless that happens to be free).
#
# Needs PostgreSQL's server binaries: on Debian/Ubuntu `apt-get install
# postgresql` (they live in /usr/lib/postgresql/*/bin). As root the server
# runs as the `postgres` user (via runuser); as any other user it runs as
# that user.
set -euo pipefail

STATE_FILE="${RAIDWATCH_PG_STATE_FILE:-/tmp/raidwatch-pg-test-server.state}"
DB_NAME="raidwatch_test"

log() { printf '%s\n' "$*" >&2; }
die() { log "pg-test-server: $*"; exit 1; }

find_bindir() {
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [[ -n "$dir" && -x "$dir/initdb" ]]; then
        printf '%s\n' "$dir"
        return
    fi
    if command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
        return
    fi
    die "PostgreSQL server binaries not found (no /usr/lib/postgresql/*/bin/initdb, no initdb on PATH). Install them, e.g. 'apt-get install postgresql'."
}

# Run a command as the server's owner: `postgres` when we are root, else ourselves.
as_owner() {
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    local py
    py="$(command -v python3 || command -v python || true)"
    [[ -n "$py" ]] || die "python3 is needed to find a free port"
    "$py" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# Reads STATE_FILE into $DIR and $PORT; returns 1 if there is none.
read_state() {
    [[ -f "$STATE_FILE" ]] || return 1
    DIR="$(sed -n 's/^dir=//p' "$STATE_FILE")"
    PORT="$(sed -n 's/^port=//p' "$STATE_FILE")"
    [[ -n "$DIR" && -n "$PORT" ]]
}

is_running() {
    local bindir="$1"
    [[ -d "$DIR/data" ]] && (cd "$DIR" && as_owner "$bindir/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1)
}

print_env() {
    printf 'export RAIDWATCH_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:%s/%s\n' "$PORT" "$DB_NAME"
}

cmd_start() {
    local bindir
    bindir="$(find_bindir)"
    if read_state; then
        if is_running "$bindir"; then
            log "pg-test-server: already running on port $PORT (data in $DIR)"
            print_env
            return
        fi
        log "pg-test-server: removing stale state for $DIR"
        rm -rf -- "$DIR"
        rm -f -- "$STATE_FILE"
    fi
    if [[ "$(id -u)" == 0 ]]; then
        id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user to run the server as"
    fi

    DIR="$(mktemp -d /tmp/raidwatch-pg.XXXXXX)"
    PORT="$(free_port)"
    printf 'dir=%s\nport=%s\n' "$DIR" "$PORT" >"$STATE_FILE"
    mkdir -p "$DIR/socket"
    if [[ "$(id -u)" == 0 ]]; then
        chown -R postgres:postgres "$DIR"
    fi
    # The server binaries complain when the current directory is unreadable to them.
    cd "$DIR"

    log "pg-test-server: initdb in $DIR/data"
    if ! as_owner "$bindir/initdb" -D "$DIR/data" -U postgres --auth=trust \
        --encoding=UTF8 --no-locale --no-instructions >"$DIR/initdb.log" 2>&1; then
        cat "$DIR/initdb.log" >&2
        die "initdb failed"
    fi

    log "pg-test-server: starting on 127.0.0.1:$PORT"
    if ! as_owner "$bindir/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
        -o "-p $PORT -k $DIR/socket -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >&2; then
        cat "$DIR/server.log" >&2 || true
        die "the server did not start"
    fi

    as_owner "$bindir/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DB_NAME" >&2 \
        || die "createdb $DB_NAME failed"
    log "pg-test-server: ready (stop with: scripts/pg-test-server.sh stop)"
    print_env
}

cmd_stop() {
    local bindir
    bindir="$(find_bindir)"
    if ! read_state; then
        log "pg-test-server: not running (no $STATE_FILE)"
        printf 'unset RAIDWATCH_TEST_POSTGRES_URL\n'
        return
    fi
    case "$DIR" in
        /tmp/raidwatch-pg.*) ;;
        *) die "refusing to remove unexpected directory '$DIR' named in $STATE_FILE" ;;
    esac
    if is_running "$bindir"; then
        (cd "$DIR" && as_owner "$bindir/pg_ctl" -D "$DIR/data" -m fast -w stop >&2)
    fi
    rm -rf -- "$DIR"
    rm -f -- "$STATE_FILE"
    log "pg-test-server: stopped and removed $DIR"
    printf 'unset RAIDWATCH_TEST_POSTGRES_URL\n'
}

cmd_status() {
    local bindir
    bindir="$(find_bindir)"
    if read_state && is_running "$bindir"; then
        log "pg-test-server: running on port $PORT (data in $DIR)"
        print_env
    else
        log "pg-test-server: not running"
        return 1
    fi
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    *)
        log "usage: $0 start|stop|status"
        log '  eval "$('"$0"' start)"   then run the tests, then   '"$0"' stop'
        exit 2
        ;;
esac
