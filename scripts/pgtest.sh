#!/usr/bin/env bash
# pgtest.sh — a throw-away PostgreSQL server for the store contract tests.
#
#   scripts/pgtest.sh start    install PostgreSQL if missing (Debian), create and
#                              start the cluster, create database interdict_test;
#                              prints the URL and writes it to ./.pgtest/url
#   scripts/pgtest.sh stop     stop the cluster (its files stay for the next start)
#   scripts/pgtest.sh env      print INTERDICT_TEST_POSTGRES_URL=... (after start)
#   scripts/pgtest.sh status   say whether the cluster runs
#
# Typical use:  scripts/pgtest.sh start && export "$(scripts/pgtest.sh env)"
#
# Environment:
#   INTERDICT_PGTEST_PORT  TCP port on 127.0.0.1 (default 55432)
#   INTERDICT_PGTEST_DIR   cluster directory (default /tmp/interdict-pgtest-$PORT)
#
# The cluster trusts every connection, so it listens on 127.0.0.1 only, with its
# Unix socket inside the cluster directory; fsync is off because its data is
# disposable. PostgreSQL refuses to run as root, so under root the cluster
# belongs to the `postgres` user (created by Debian's package). It lives under
# /tmp rather than in the checkout because that user may not be able to reach
# the checkout (e.g. under /root); ./.pgtest/ only holds the URL. Starting is
# idempotent: a running cluster is reused.
set -euo pipefail

PORT="${INTERDICT_PGTEST_PORT:-55432}"
CLUSTER="${INTERDICT_PGTEST_DIR:-/tmp/interdict-pgtest-$PORT}"
DATA="$CLUSTER/data"
LOG="$CLUSTER/server.log"
DB=interdict_test
URL="postgres://postgres@127.0.0.1:$PORT/$DB?sslmode=disable"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="$REPO/.pgtest"

# Every path above is absolute; the cluster's owner may not be allowed into the
# caller's directory (e.g. under /root), which would make its tools complain.
cd /

say() { echo "pgtest: $*" >&2; }
die() { say "error: $*"; exit 1; }

# find_bin prints the directory holding initdb and pg_ctl, newest version first.
find_bin() {
	local d
	for d in $(printf "%s\n" /usr/lib/postgresql/*/bin | sort -t/ -k5,5 -rn); do
		if [[ -x "$d/initdb" && -x "$d/pg_ctl" ]]; then
			echo "$d"
			return 0
		fi
	done
	if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
		dirname "$(command -v initdb)"
		return 0
	fi
	return 1
}

install_postgres() {
	local sudo=()
	if [[ $(id -u) -ne 0 ]]; then
		command -v sudo >/dev/null || die "PostgreSQL is not installed and installing it needs root: run as root, or install the Debian package 'postgresql'"
		sudo=(sudo -n)
	fi
	command -v apt-get >/dev/null || die "PostgreSQL is not installed and there is no apt-get: install its server binaries (initdb, pg_ctl)"
	say "installing PostgreSQL from Debian's packages"
	# A failed update (one unreachable mirror) need not stop the install.
	"${sudo[@]}" apt-get update </dev/null >&2 || say "apt-get update failed; trying the install anyway"
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql </dev/null >&2
}

# The cluster's owner: postgres refuses to run as root.
cluster_user() {
	if [[ $(id -u) -ne 0 ]]; then
		id -un
	elif id -u postgres >/dev/null 2>&1; then
		echo postgres
	else
		# Server binaries installed without Debian's package (which creates it).
		useradd --system --no-create-home --shell /usr/sbin/nologin interdict-pgtest >&2
		echo interdict-pgtest
	fi
}

# as_owner runs a command as the cluster's owner.
as_owner() {
	if [[ $(id -u) -eq 0 ]]; then
		runuser -u "$OWNER" -- "$@"
	else
		"$@"
	fi
}

running() { [[ -d "$DATA" ]] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

write_url() {
	mkdir -p "$STATE"
	echo "$URL" >"$STATE/url"
}

create_cluster() {
	say "creating cluster in $DATA (port $PORT)"
	rm -rf "$DATA"
	mkdir -p "$CLUSTER"
	if [[ $(id -u) -eq 0 ]]; then
		chown "$OWNER" "$CLUSTER"
	fi
	chmod 700 "$CLUSTER"
	as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C --no-sync >"$CLUSTER/initdb.log" 2>&1 ||
		{ cat "$CLUSTER/initdb.log" >&2; die "initdb failed"; }
	as_owner tee -a "$DATA/postgresql.conf" >/dev/null <<-EOF
		# scripts/pgtest.sh: disposable test server
		listen_addresses = '127.0.0.1'
		port = $PORT
		unix_socket_directories = '$CLUSTER'
		max_connections = 200
		fsync = off
		synchronous_commit = off
		full_page_writes = off
	EOF
	as_owner tee "$DATA/pg_hba.conf" >/dev/null <<-EOF
		# scripts/pgtest.sh: trust, loopback and the cluster's own socket only
		local all all trust
		host  all all 127.0.0.1/32 trust
	EOF
}

# lock serialises start and stop per port: two `make test` runs may race.
lock() {
	exec 9>>"/tmp/interdict-pgtest-$PORT.lock"
	flock 9
}

start() {
	lock
	if ! BIN="$(find_bin)"; then
		install_postgres
		BIN="$(find_bin)" || die "PostgreSQL was installed but initdb was not found under /usr/lib/postgresql/*/bin"
	fi
	OWNER="$(cluster_user)"
	if running; then
		say "reusing the cluster running in $DATA"
	else
		# A missing, half-made or other-version cluster is disposable: remake it.
		local version
		version="$("$BIN/pg_ctl" --version | awk '{print $3}' | cut -d. -f1)"
		if [[ ! -f "$DATA/PG_VERSION" || "$(cat "$DATA/PG_VERSION" 2>/dev/null)" != "$version" ]]; then
			create_cluster
		fi
		say "starting PostgreSQL $version on 127.0.0.1:$PORT"
		# 9>&-: the server must not inherit the lock, or it would hold it for life.
		as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >&2 9>&- ||
			{ tail -n 30 "$LOG" >&2 || true; die "the server did not start (is port $PORT taken? set INTERDICT_PGTEST_PORT)"; }
	fi
	local psql=("$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tA)
	if [[ "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]]; then
		"${psql[@]}" -c "CREATE DATABASE $DB" >&2
	fi
	write_url
	echo "$URL"
}

stop() {
	lock
	if ! BIN="$(find_bin)"; then
		say "PostgreSQL is not installed; nothing to stop"
		return 0
	fi
	OWNER="$(stat -c %U "$CLUSTER" 2>/dev/null || id -un)"
	if running; then
		as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >&2
	else
		say "no cluster running in $DATA"
	fi
	if [[ "$(cat "$STATE/url" 2>/dev/null)" == "$URL" ]]; then
		rm -f "$STATE/url"
	fi
}

status() {
	BIN="$(find_bin)" || { echo "not installed"; return 3; }
	OWNER="$(stat -c %U "$CLUSTER" 2>/dev/null || id -un)"
	if running; then
		echo "running: $URL"
	else
		echo "stopped"
		return 3
	fi
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) status ;;
env)
	[[ -s "$STATE/url" ]] || die "no server started from this checkout: run scripts/pgtest.sh start"
	echo "INTERDICT_TEST_POSTGRES_URL=$(cat "$STATE/url")"
	;;
*)
	echo "usage: $0 start|stop|env|status" >&2
	exit 2
	;;
esac
