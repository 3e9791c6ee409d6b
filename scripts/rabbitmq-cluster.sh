#!/usr/bin/env bash
# A 3-node RabbitMQ cluster on this machine, beside its own broker, from the installed
# rabbitmq-server: for trying QUEUE_TYPE=quorum and broker lists without Docker, and for the
# cluster fault test (tests/faults/cluster-node-loss.fault.ts).
#
#   scripts/rabbitmq-cluster.sh start          start rgc1..rgc3 and join them into one cluster
#   scripts/rabbitmq-cluster.sh stop           stop every node and delete all their files
#   scripts/rabbitmq-cluster.sh status         cluster status as node 1 sees it
#   scripts/rabbitmq-cluster.sh urls           the RABBITMQ_URL list for the services
#   scripts/rabbitmq-cluster.sh queues         every queue with its type, leader and members (JSON)
#   scripts/rabbitmq-cluster.sh stop-node N    stop node N (its data stays): a node lost
#   scripts/rabbitmq-cluster.sh start-node N   start node N again; it rejoins with its data
#
# Each node has its own name (rgcN@localhost), AMQP port (RGC_CLUSTER_PORT_BASE+N, default
# 5681-5683), distribution port (+20000), config file, plugins file (none: no management UI) and
# data, log and pid directories under RGC_CLUSTER_DIR, owned by the rabbitmq user. It shares the
# machine's Erlang cookie and epmd. The machine's own node (rabbit@localhost on 5672) is never
# touched. Needs root (or the rabbitmq user).
set -euo pipefail

BASE_DIR=${RGC_CLUSTER_DIR:-/tmp/rgc-rabbitmq-cluster}
PORT_BASE=${RGC_CLUSTER_PORT_BASE:-5680}
NODES=(1 2 3)
RABBIT_BIN=/usr/lib/rabbitmq/bin
COOKIE_HOME=/var/lib/rabbitmq

node_name() { echo "rgc$1@localhost"; }
amqp_port() { echo $((PORT_BASE + $1)); }
dist_port() { echo $((PORT_BASE + $1 + 20000)); }
node_dir() { echo "$BASE_DIR/rgc$1"; }

as_rabbitmq() {
  if [ "$(id -u)" = "$(id -u rabbitmq)" ]; then
    env HOME="$COOKIE_HOME" "$@"
  else
    runuser -u rabbitmq -- env HOME="$COOKIE_HOME" "$@"
  fi
}

ctl() {
  local n=$1
  shift
  as_rabbitmq "$RABBIT_BIN/rabbitmqctl" -q -n "$(node_name "$n")" "$@"
}

# The environment a node runs with, one VAR=value per line. RABBITMQ_CONF_ENV_FILE points at the
# node's own (empty) env file so that /etc/rabbitmq/rabbitmq-env.conf (the machine's node name)
# does not apply.
node_env() {
  local n=$1 dir
  dir=$(node_dir "$n")
  printf '%s\n' \
    "RABBITMQ_NODENAME=$(node_name "$n")" \
    "RABBITMQ_NODE_PORT=$(amqp_port "$n")" \
    "RABBITMQ_DIST_PORT=$(dist_port "$n")" \
    "RABBITMQ_CONF_ENV_FILE=$dir/rabbitmq-env.conf" \
    "RABBITMQ_CONFIG_FILE=$dir/rabbitmq.conf" \
    "RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins" \
    "RABBITMQ_MNESIA_BASE=$dir/mnesia" \
    "RABBITMQ_LOG_BASE=$dir/log" \
    "RABBITMQ_PID_FILE=$dir/rabbitmq.pid" \
    "ERL_EPMD_ADDRESS=127.0.0.1" \
    "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1} +S 1:1 +A 8"
}

prepare() {
  local n=$1 dir
  dir=$(node_dir "$n")
  mkdir -p "$dir/mnesia" "$dir/log"
  : >"$dir/rabbitmq-env.conf"
  echo '[].' >"$dir/enabled_plugins"
  cat >"$dir/rabbitmq.conf" <<EOF
# rgc$n: only this node's own port (the machine's rabbitmq.conf pins 5672 to its own node)
listeners.tcp.local = 127.0.0.1:$(amqp_port "$n")
# small: a test cluster beside the machine's broker
vm_memory_high_watermark.absolute = 512MB
disk_free_limit.absolute = 50MB
collect_statistics_interval = 30000
EOF
  chown -R rabbitmq:rabbitmq "$BASE_DIR"
}

running() { ctl "$1" ping >/dev/null 2>&1; }

start_node() {
  local n=$1
  [ -d "$(node_dir "$n")" ] || prepare "$n"
  if running "$n"; then
    ctl "$n" start_app
  else
    local env_args
    mapfile -t env_args < <(node_env "$n")
    as_rabbitmq "${env_args[@]}" "$RABBIT_BIN/rabbitmq-server" -detached
    # -detached returns before the Erlang node is up; await_startup needs it reachable
    for _ in $(seq 1 120); do
      running "$n" && break
      sleep 1
    done
  fi
  ctl "$n" await_startup --timeout 120
}

stop_node() {
  local n=$1 dir pid
  dir=$(node_dir "$n")
  ctl "$n" shutdown --timeout 60 >/dev/null 2>&1 || true
  pid=$(cat "$dir/rabbitmq.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -9 "$pid" 2>/dev/null || true
  fi
}

case "${1:-}" in
  start)
    # a run that was killed may have left nodes or files behind: start from nothing
    for n in "${NODES[@]}"; do stop_node "$n"; done
    rm -rf "$BASE_DIR"
    for n in "${NODES[@]}"; do
      prepare "$n"
      start_node "$n"
    done
    for n in "${NODES[@]:1}"; do
      ctl "$n" stop_app
      ctl "$n" join_cluster "$(node_name 1)"
      ctl "$n" start_app
      ctl "$n" await_startup --timeout 120
    done
    ctl 1 cluster_status --formatter json | grep -q "\"$(node_name 3)\"" || {
      echo "the nodes did not form one cluster" >&2
      exit 1
    }
    echo "cluster up: $("$0" urls)"
    ;;
  stop)
    for n in "${NODES[@]}"; do stop_node "$n"; done
    rm -rf "$BASE_DIR"
    echo "cluster stopped and removed"
    ;;
  status) ctl 1 cluster_status ;;
  queues)
    # name, type, leader and members of every queue, as JSON, asked of the first node that answers
    for n in "${NODES[@]}"; do
      if running "$n"; then
        ctl "$n" list_queues name type leader members --formatter json
        exit 0
      fi
    done
    echo "no node of the cluster is running" >&2
    exit 1
    ;;
  urls)
    urls=()
    for n in "${NODES[@]}"; do urls+=("amqp://guest:guest@127.0.0.1:$(amqp_port "$n")"); done
    (IFS=,; echo "${urls[*]}")
    ;;
  stop-node) stop_node "${2:?which node: 1, 2 or 3}" ;;
  start-node) start_node "${2:?which node: 1, 2 or 3}" ;;
  *)
    echo "usage: $0 start|stop|status|urls|queues|stop-node N|start-node N" >&2
    exit 2
    ;;
esac
