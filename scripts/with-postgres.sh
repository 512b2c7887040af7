#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL 15 server, then stop and delete it.
#
#   scripts/with-postgres.sh uv run pytest tests/web
#
# Uses Debian's postgresql package (installed with apt-get when missing and we are root). The cluster
# lives in a temporary folder, listens on 127.0.0.1 on a free port, and has a role `msinfusion`
# (password `msinfusion`, allowed to create the test database) owning a database `msinfusion`.
# The command runs with DATABASE_URL pointing there; its exit code is this script's exit code.
set -euo pipefail

if [ $# -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

find_bindir() {
    local dir
    for dir in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

BINDIR=$(find_bindir || true)
if [ -z "$BINDIR" ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        echo "with-postgres: installing Debian's postgresql package" >&2
        if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e '^lock$' -e '^partial$' -e '^auxfiles$' || true)" ]; then
            apt-get update -qq
        fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        BINDIR=$(find_bindir)
    else
        echo "with-postgres: PostgreSQL is not installed (Debian: sudo apt-get install postgresql)" >&2
        exit 1
    fi
fi

# initdb refuses to run as root: run the server as the postgres system user then.
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres
    AS_PG=(runuser -u postgres --)
else
    AS_PG=()
fi

WORK=$(mktemp -d /tmp/msinfusion-pg.XXXXXX)
chmod 755 "$WORK"
[ "$(id -u)" -eq 0 ] && chown postgres: "$WORK"
PGDATA="$WORK/data"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# The server runs as `postgres`, which may not be allowed into the caller's folder: run it from $WORK.
pg() { (cd "$WORK" && "${AS_PG[@]}" "$@"); }

cleanup() {
    pg "$BINDIR/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

pg "$BINDIR/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$WORK/initdb.log" 2>&1 ||
    { cat "$WORK/initdb.log" >&2; exit 1; }
pg "$BINDIR/pg_ctl" -D "$PGDATA" -w -t 60 -l "$WORK/server.log" \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $WORK -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { cat "$WORK/server.log" >&2; exit 1; }

"$BINDIR/psql" -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 <<'SQL'
CREATE ROLE msinfusion LOGIN PASSWORD 'msinfusion' CREATEDB;
CREATE DATABASE msinfusion OWNER msinfusion;
SQL

export DATABASE_URL="postgres://msinfusion:msinfusion@127.0.0.1:$PORT/msinfusion"
echo "with-postgres: PostgreSQL $("$BINDIR/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT" >&2
set +e
"$@"
status=$?
set -e
exit $status
