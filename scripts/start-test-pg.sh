#!/usr/bin/env bash
# A throw-away PostgreSQL for the store tests: Debian's `postgresql` (installed by
# scripts/install-test-deps.sh when missing), a cluster made with initdb in a scratch folder,
# run as an unprivileged user on a loopback port, password authentication over TCP, TLS
# offered (ssl = on, with a throw-away CA and a certificate for `localhost` only, so that
# a test can see verify-full refuse 127.0.0.1) and plain connections still allowed.
#
#   eval "$(scripts/start-test-pg.sh)"    # starts it (or finds it running), exports NIANBAO_TEST_PG
#   scripts/start-test-pg.sh --stop       # stops it and removes the folder
#
# Only the `export NIANBAO_TEST_PG=…` and `export NIANBAO_TEST_PG_CA=…` (the CA's PEM
# file) lines go to stdout; progress goes to stderr. The
# cluster is for tests only: fsync is off, so a crash of the machine may lose it.
# Settings: NIANBAO_PG_DIR (folder, default /var/tmp/nianbao-test-pg), NIANBAO_PG_PORT
# (default 5433), NIANBAO_PG_USER (the system user it runs as, default nobody).
set -euo pipefail
cd "$(dirname "$0")/.."

dir="${NIANBAO_PG_DIR:-/var/tmp/nianbao-test-pg}"
port="${NIANBAO_PG_PORT:-5433}"
os_user="${NIANBAO_PG_USER:-nobody}"
os_group="$(id -gn "$os_user")"
role=nianbao
data="$dir/data"

log() { echo "start-test-pg: $*" >&2; }

bin_dir() {
  local initdb
  initdb="$(ls -1d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$initdb" ] && dirname "$initdb"
}

# Runs a PostgreSQL program as the unprivileged user (the server refuses to run as root).
as_user() {
  (cd "$dir" && setpriv --reuid="$os_user" --regid="$os_group" --clear-groups "$@")
}

if [ "${1:-}" = "--stop" ]; then
  if [ -f "$data/postmaster.pid" ] && bin="$(bin_dir)"; then
    as_user "$bin/pg_ctl" -D "$data" -m fast -w stop >&2 || true
  fi
  rm -rf "$dir"
  exit 0
fi

if ! bin="$(bin_dir)"; then
  log "installing Debian's postgresql"
  scripts/install-test-deps.sh --postgresql >&2
  bin="$(bin_dir)" || { log "initdb not found after installing postgresql"; exit 1; }
fi

url() { echo "postgres://$role:$(cat "$dir/password")@127.0.0.1:$port/postgres"; }

exports() {
  echo "export NIANBAO_TEST_PG='$(url)'"
  echo "export NIANBAO_TEST_PG_CA='$dir/ca.crt'"
}

if [ -f "$dir/password" ] && as_user "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  if [ -f "$dir/ca.crt" ]; then
    log "running already in $dir (port $port)"
    exports
    exit 0
  fi
  log "a cluster without TLS runs in $dir: making it again"
  as_user "$bin/pg_ctl" -D "$data" -m fast -w stop >&2 || true
fi

rm -rf "$dir"
mkdir -p "$dir"
# A random password for the superuser, in hex digits so that the URL needs no escapes.
head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/password"
chown -R "$os_user:$os_group" "$dir"
chmod 700 "$dir"
log "initdb in $data ($("$bin/postgres" --version))"
as_user "$bin/initdb" -D "$data" -U "$role" --pwfile="$dir/password" \
  --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log" >&2; exit 1; }
# The CA, and the server's certificate for localhost signed by it (no IP address in it).
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=Nianbao test CA" \
  -keyout "$dir/ca.key" -out "$dir/ca.crt" >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
  -keyout "$data/server.key" -out "$dir/server.csr" >/dev/null 2>&1
printf 'subjectAltName = DNS:localhost\nbasicConstraints = CA:FALSE\n' >"$dir/server.ext"
openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
  -CAcreateserial -days 30 -extfile "$dir/server.ext" -out "$data/server.crt" >/dev/null 2>&1
chown "$os_user:$os_group" "$data/server.key" "$data/server.crt"
chmod 600 "$data/server.key"
chmod 644 "$dir/ca.crt"
cat >>"$data/postgresql.conf" <<EOF
# scripts/start-test-pg.sh: a throw-away test cluster
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'
EOF
as_user "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 start >&2 ||
  { cat "$dir/server.log" >&2; exit 1; }
log "started on 127.0.0.1:$port as $os_user (TLS offered, CA $dir/ca.crt)"
exports
