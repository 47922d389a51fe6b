#!/usr/bin/env bash
# Run tidtam's production topology (docker-compose.yml) without Docker, as
# plain processes on this machine: a Temporal server built from go.mod's
# go.temporal.io/server on the local PostgreSQL, then `tidtam migrate`,
# `tidtam api` and N `tidtam worker` processes. Ctrl-C stops everything.
#
#   scripts/topology.sh                   # 2 workers, API on 127.0.0.1:8080
#   TOPO_WORKERS=3 scripts/topology.sh
#   TOPO_ADMIN_PASSWORD='…' scripts/topology.sh
#   TOPO_DROP_DBS=1 scripts/topology.sh   # drop the databases on exit
#
# Needs: Go (the version in go.mod), PostgreSQL on 127.0.0.1:5432 that the
# user postgres reaches without a password (trust), curl. Everything listens on
# 127.0.0.1 only. The first run compiles the Temporal server (several minutes
# on 2 cores; about 10 s once the build cache is warm).
#
# Settings (environment):
#   TOPO_DIR             work folder: binaries, configs, logs, tidtam data [$TMPDIR/tidtam-topology]
#   TOPO_DB_PREFIX       database names: <prefix>_temporal, _visibility, _app [tidtam_topology]
#   TOPO_WORKERS         number of tidtam workers [2]
#   TOPO_API_PORT        tidtam API port [8080]
#   TOPO_TEMPORAL_PORT   Temporal frontend gRPC port [7233]
#   TOPO_ADMIN_PASSWORD  admin password when the account is created [generated, printed once]
#   TOPO_DROP_DBS        1: drop the three databases when stopping [keep them]
#
# Temporal membership ports (6933-6939 here) are stored in a SMALLINT column
# on PostgreSQL, so they must stay below 32768.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=${TOPO_DIR:-${TMPDIR:-/tmp}/tidtam-topology}
prefix=${TOPO_DB_PREFIX:-tidtam_topology}
workers=${TOPO_WORKERS:-2}
api_port=${TOPO_API_PORT:-8080}
fe_port=${TOPO_TEMPORAL_PORT:-7233}
pg_host=127.0.0.1 pg_port=5432 pg_user=postgres
plugin=postgres12_pgx
dynamic_config=$root/deploy/temporal/dynamicconfig.yaml

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'topology: %s\n' "$*" >&2; exit 1; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

command -v go >/dev/null || die "go is not on PATH"
command -v curl >/dev/null || die "curl is not on PATH"
(exec 3<>"/dev/tcp/$pg_host/$pg_port") 2>/dev/null || die "no PostgreSQL on $pg_host:$pg_port"
for p in "$fe_port" 7243 7234 7235 7239 6933 6934 6935 6939 "$api_port"; do
	port_busy "$p" && die "port 127.0.0.1:$p is in use (another tidtam serve or Temporal server?)"
done
for ((i = 1; i <= workers; i++)); do
	port_busy $((9090 + i)) && die "port 127.0.0.1:$((9090 + i)) (worker $i metrics) is in use"
done

umask 077 # the work folder holds the app data dir and logs
mkdir -p "$work/bin" "$work/mod" "$work/logs" "$work/data"

# --- build -------------------------------------------------------------------
log "building tidtam"
(cd "$root" && go build -o "$work/bin/tidtam" ./cmd/tidtam)

# The server and sql tool main packages import github.com/urfave/cli, which
# tidtam's go.sum does not list: build against a copy of go.mod/go.sum that Go
# may complete (-modfile). Versions stay the ones go.mod selects; the
# repository's files are not touched.
cp "$root/go.mod" "$work/mod/go.mod"
cp "$root/go.sum" "$work/mod/go.sum"
log "building the Temporal server and sql tool from go.mod ($(grep -m1 'go.temporal.io/server ' "$root/go.mod" | awk '{print $2}'))"
start=$SECONDS
(cd "$root" && go build -modfile="$work/mod/go.mod" -mod=mod -o "$work/bin/temporal-server" go.temporal.io/server/cmd/server)
(cd "$root" && go build -modfile="$work/mod/go.mod" -mod=mod -o "$work/bin/temporal-sql-tool" go.temporal.io/server/cmd/tools/sql)
echo "    built in $((SECONDS - start)) s"
"$work/bin/temporal-server" validate-dynamic-config "$dynamic_config" >/dev/null ||
	die "$dynamic_config does not validate"

# --- databases and Temporal schema ---------------------------------------------
sqltool() { "$work/bin/temporal-sql-tool" --ep "$pg_host" -p "$pg_port" -u "$pg_user" --pl "$plugin" "$@"; }
log "databases ${prefix}_temporal, ${prefix}_visibility, ${prefix}_app (kept between runs)"
for kind in temporal visibility; do
	db=${prefix}_$kind
	# All three steps are idempotent: an existing database, a newer schema
	# version and already applied updates are left as they are.
	sqltool --db "$db" create >>"$work/logs/schema.log" 2>&1
	sqltool --db "$db" setup-schema -v 0.0 >>"$work/logs/schema.log" 2>&1
	sqltool --db "$db" update-schema -s "postgresql/v12/$kind" >>"$work/logs/schema.log" 2>&1 ||
		die "schema update of $db failed; see $work/logs/schema.log"
done
sqltool --db "${prefix}_app" create >>"$work/logs/schema.log" 2>&1

# --- Temporal server config ----------------------------------------------------
cat >"$work/temporal-server.yaml" <<EOF
log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: 4
  datastores:
    postgres-default:
      sql:
        pluginName: "$plugin"
        databaseName: "${prefix}_temporal"
        connectAddr: "$pg_host:$pg_port"
        connectProtocol: "tcp"
        user: "$pg_user"
        maxConns: 20
        maxIdleConns: 20
        maxConnLifetime: "1h"
    postgres-visibility:
      sql:
        pluginName: "$plugin"
        databaseName: "${prefix}_visibility"
        connectAddr: "$pg_host:$pg_port"
        connectProtocol: "tcp"
        user: "$pg_user"
        maxConns: 5
        maxIdleConns: 5
        maxConnLifetime: "1h"
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
services:
  frontend:
    rpc: { grpcPort: $fe_port, membershipPort: 6933, httpPort: 7243, bindOnIP: "127.0.0.1" }
  history:
    rpc: { grpcPort: 7234, membershipPort: 6934, bindOnIP: "127.0.0.1" }
  matching:
    rpc: { grpcPort: 7235, membershipPort: 6935, bindOnIP: "127.0.0.1" }
  worker:
    rpc: { grpcPort: 7239, membershipPort: 6939, bindOnIP: "127.0.0.1" }
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:$fe_port"
      httpAddress: "127.0.0.1:7243"
dcRedirectionPolicy:
  policy: "noop"
dynamicConfigClient:
  filepath: "$dynamic_config"
  pollInterval: "10s"
EOF

# --- processes -----------------------------------------------------------------
pids=() names=()
stopping=0
stop_all() {
	((stopping)) && return
	stopping=1
	echo
	log "stopping"
	# tidtam first (newest first), the Temporal server last.
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		kill -TERM "${pids[i]}" 2>/dev/null || true
		for _ in $(seq 1 100); do
			kill -0 "${pids[i]}" 2>/dev/null || break
			sleep 0.2
		done
		if kill -0 "${pids[i]}" 2>/dev/null; then
			echo "    ${names[i]} did not stop in 20 s; killing it"
			kill -KILL "${pids[i]}" 2>/dev/null || true
		fi
		wait "${pids[i]}" 2>/dev/null || true
		echo "    stopped ${names[i]}"
	done
	if [[ ${TOPO_DROP_DBS:-} == 1 ]]; then
		for kind in temporal visibility app; do
			sqltool --db "${prefix}_$kind" drop -f >>"$work/logs/schema.log" 2>&1 &&
				echo "    dropped ${prefix}_$kind"
		done
	fi
}
trap stop_all EXIT
trap 'exit 130' INT TERM

start_bg() { # name logfile command…
	local name=$1 logfile=$2
	shift 2
	"$@" >"$logfile" 2>&1 &
	pids+=($!) names+=("$name")
}

tidtam_env=(
	TIDTAM_DATABASE_URL="postgres://$pg_user@$pg_host:$pg_port/${prefix}_app?sslmode=disable"
	TEMPORAL_ADDRESS="127.0.0.1:$fe_port"
	TEMPORAL_NAMESPACE=tidtam
	TIDTAM_TASK_QUEUE=tidtam
	TIDTAM_DATA_DIR="$work/data"
	TIDTAM_PUBLIC_URL="http://127.0.0.1:$api_port"
)

log "starting the Temporal server (log: $work/logs/temporal-server.log)"
start_bg temporal-server "$work/logs/temporal-server.log" \
	env DYNAMIC_CONFIG_FILE_PATH="$dynamic_config" \
	"$work/bin/temporal-server" --config-file "$work/temporal-server.yaml" --allow-no-auth start
for _ in $(seq 1 150); do
	port_busy "$fe_port" && break
	kill -0 "${pids[0]}" 2>/dev/null || { tail -n 30 "$work/logs/temporal-server.log"; die "the Temporal server exited"; }
	sleep 0.2
done
port_busy "$fe_port" || die "the Temporal server did not open 127.0.0.1:$fe_port in 30 s"

log "tidtam migrate (app schema, provinces, admin account, Temporal namespace)"
migrated=0
for attempt in $(seq 1 15); do
	# Not logged to a file: it may print a generated admin password.
	if env "${tidtam_env[@]}" TIDTAM_ADMIN_PASSWORD="${TOPO_ADMIN_PASSWORD:-}" "$work/bin/tidtam" migrate; then
		migrated=1
		break
	fi
	echo "    migrate failed (attempt $attempt/15; the server may still be starting); retrying in 2 s"
	sleep 2
done
((migrated)) || die "tidtam migrate kept failing (output above)"

log "starting tidtam api and $workers worker(s)"
start_bg api "$work/logs/api.log" \
	env "${tidtam_env[@]}" TIDTAM_HTTP_ADDR="127.0.0.1:$api_port" "$work/bin/tidtam" api
for ((i = 1; i <= workers; i++)); do
	start_bg "worker $i" "$work/logs/worker-$i.log" \
		env "${tidtam_env[@]}" TIDTAM_METRICS_ADDR="127.0.0.1:$((9090 + i))" "$work/bin/tidtam" worker
done

for _ in $(seq 1 120); do
	curl -fsS -o /dev/null "http://127.0.0.1:$api_port/readyz" 2>/dev/null && break
	sleep 0.5
done
curl -fsS -o /dev/null "http://127.0.0.1:$api_port/readyz" ||
	{ tail -n 30 "$work/logs/api.log"; die "the API is not ready after 60 s"; }

cat <<EOF

  tidtam API            http://127.0.0.1:$api_port   (sign in as admin; the password is
                        TOPO_ADMIN_PASSWORD, or the one migrate printed when it created the account)
  readiness             http://127.0.0.1:$api_port/readyz
  worker metrics        $(for ((i = 1; i <= workers; i++)); do printf 'http://127.0.0.1:%d/metrics ' $((9090 + i)); done)
  Temporal frontend     127.0.0.1:$fe_port  (namespace tidtam; HTTP API on 127.0.0.1:7243)
  logs                  $work/logs/
  databases             ${prefix}_temporal, ${prefix}_visibility, ${prefix}_app on $pg_host:$pg_port

  No Temporal web UI or mail catcher here (those are containers in docker-compose.yml);
  with TIDTAM_SMTP_HOST unset, mail stays in tidtam's in-app inbox.
  Ctrl-C stops everything.

EOF

# Run until Ctrl-C, or until one process dies. Ctrl-C reaches the children
# too, so a child that ends after it is not reported as a crash.
interrupted=0
trap 'interrupted=1' INT TERM
while :; do
	for i in "${!pids[@]}"; do
		((interrupted)) && exit 130
		if ! kill -0 "${pids[i]}" 2>/dev/null; then
			echo "topology: ${names[i]} exited; its last log lines:" >&2
			case ${names[i]} in
			temporal-server) tail -n 20 "$work/logs/temporal-server.log" >&2 ;;
			api) tail -n 20 "$work/logs/api.log" >&2 ;;
			"worker "*) tail -n 20 "$work/logs/worker-${names[i]#worker }.log" >&2 ;;
			esac
			exit 1
		fi
	done
	sleep 1 || true
done
