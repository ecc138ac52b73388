#!/usr/bin/env bash
# Runs CMD... against a throwaway PostgreSQL cluster, stopped and deleted on exit.
#
#   Scripts/with-postgres.sh swift test --filter PostgresStore
#
# Installs Debian's `postgresql` when initdb/pg_ctl are missing, makes a cluster with
# initdb in a mktemp folder (as the `postgres` user, or `nobody`, when run as root:
# PostgreSQL refuses to run as root), listening only on a Unix socket in that folder and
# on 127.0.0.1 at a free port. It creates a database, a writer role and a SELECT-only
# reader role, both with passwords (scram-sha-256 over TCP and the socket), and exports
#   MASKDB_TEST_POSTGRES_URL         postgresql://maskdb_writer:...@127.0.0.1:PORT/maskdb_test
#   MASKDB_TEST_POSTGRES_READER_URL  postgresql://maskdb_reader:...@127.0.0.1:PORT/maskdb_test
# then runs CMD... and exits with its status.
set -euo pipefail

if [ $# -eq 0 ]; then
    echo "usage: $0 CMD..." >&2
    exit 2
fi

find_bin() {
    local name=$1 candidate
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
    for candidate in /usr/lib/postgresql/*/bin/"$name"; do
        [ -x "$candidate" ] && { echo "$candidate"; return 0; }
    done
    return 1
}

if ! find_bin initdb >/dev/null || ! find_bin pg_ctl >/dev/null; then
    echo "with-postgres: installing postgresql"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
INITDB=$(find_bin initdb)
PG_CTL=$(find_bin pg_ctl)
BIN_DIR=$(dirname "$(readlink -f "$PG_CTL")")
PSQL=$(find_bin psql || echo "$BIN_DIR/psql")

# As root, the cluster belongs to an unprivileged user.
run_as=()
owner=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
    if id postgres >/dev/null 2>&1; then owner=postgres; else owner=nobody; fi
    run_as=(runuser -u "$owner" --)
fi

CLUSTER=$(mktemp -d "${TMPDIR:-/tmp}/maskdb-pg.XXXXXX")
chmod 700 "$CLUSTER"
[ ${#run_as[@]} -gt 0 ] && chown "$owner" "$CLUSTER"
DATA="$CLUSTER/data"
SOCKET_DIR="$CLUSTER"

started=0
cleanup() {
    local status=$?
    if [ "$started" -eq 1 ]; then
        "${run_as[@]}" "$PG_CTL" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$CLUSTER"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A free TCP port on 127.0.0.1: ask the kernel for one, then let postgres bind it.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null || echo $((20000 + RANDOM % 20000)))

random_password() { head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
SUPER_PASSWORD=$(random_password)
WRITER_PASSWORD=$(random_password)
READER_PASSWORD=$(random_password)

printf '%s\n' "$SUPER_PASSWORD" > "$CLUSTER/superpass"
[ ${#run_as[@]} -gt 0 ] && chown "$owner" "$CLUSTER/superpass"
"${run_as[@]}" "$INITDB" -D "$DATA" -U maskdb_admin --pwfile="$CLUSTER/superpass" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --no-locale >"$CLUSTER/initdb.log" 2>&1 \
    || { cat "$CLUSTER/initdb.log" >&2; exit 1; }
rm -f "$CLUSTER/superpass"

"${run_as[@]}" "$PG_CTL" -D "$DATA" -l "$CLUSTER/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories='$SOCKET_DIR' -c fsync=off -c max_connections=50" \
    start >/dev/null || { cat "$CLUSTER/server.log" >&2; exit 1; }
started=1

PGPASSWORD=$SUPER_PASSWORD "$PSQL" -X -q -v ON_ERROR_STOP=1 -h "$SOCKET_DIR" -p "$PORT" -U maskdb_admin -d postgres <<SQL
CREATE ROLE maskdb_writer LOGIN PASSWORD '$WRITER_PASSWORD';
CREATE ROLE maskdb_reader LOGIN PASSWORD '$READER_PASSWORD';
CREATE DATABASE maskdb_test OWNER maskdb_writer;
SQL
# The reader may read whatever the writer makes, and nothing else: SELECT by default
# privileges on every table the writer creates, in every schema it creates.
PGPASSWORD=$WRITER_PASSWORD "$PSQL" -X -q -v ON_ERROR_STOP=1 -h "$SOCKET_DIR" -p "$PORT" -U maskdb_writer -d maskdb_test <<SQL
GRANT CONNECT ON DATABASE maskdb_test TO maskdb_reader;
GRANT USAGE ON SCHEMA public TO maskdb_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE maskdb_writer GRANT SELECT ON TABLES TO maskdb_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE maskdb_writer GRANT USAGE ON SCHEMAS TO maskdb_reader;
SQL

export MASKDB_TEST_POSTGRES_URL="postgresql://maskdb_writer:$WRITER_PASSWORD@127.0.0.1:$PORT/maskdb_test?sslmode=disable"
export MASKDB_TEST_POSTGRES_READER_URL="postgresql://maskdb_reader:$READER_PASSWORD@127.0.0.1:$PORT/maskdb_test?sslmode=disable"
export MASKDB_TEST_POSTGRES_SOCKET_DIR="$SOCKET_DIR"
echo "with-postgres: PostgreSQL $("$PG_CTL" --version | sed -E "s/.* ([0-9]+\.[0-9]+).*/\1/") on 127.0.0.1:$PORT and $SOCKET_DIR (cluster $CLUSTER)"

set +e
"$@"
status=$?
set -e
exit "$status"
