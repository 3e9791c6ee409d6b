#!/bin/bash
# The broker of docker-compose.yml with one user per service (docs/security.md, "Broker
# accounts"): starts RabbitMQ, waits for it, then creates or updates each service's user with
# only the permissions it uses (vhost /), and marks itself ready for the healthcheck. The
# management UI's user (RABBITMQ_DEFAULT_USER) is the image's own and no service uses it.
set -euo pipefail
ready=${RETRO_ACCOUNTS_READY_FILE:-/tmp/retro-accounts-ready}
rm -f "$ready"

rabbitmq-server &
server=$!
# the server stops with this script, whichever way it ends
trap 'kill -TERM "$server" 2>/dev/null || true; wait "$server" || true' TERM INT EXIT

# await_startup fails at once until the node has registered its name: ask until it answers
until rabbitmqctl -q await_startup --timeout 120 >/dev/null 2>&1; do
  kill -0 "$server" 2>/dev/null || exit 1
  sleep 1
done

existing=$(rabbitmqctl -q list_users | cut -f1)

# user, password, configure, write, read
account() {
  if grep -qx "$1" <<<"$existing"; then
    rabbitmqctl -q change_password "$1" "$2"
  else
    rabbitmqctl -q add_user "$1" "$2"
  fi
  rabbitmqctl -q set_user_tags "$1"
  rabbitmqctl -q set_permissions -p / "$1" "$3" "$4" "$5"
}

# declares the topology; the relay publishes through the default exchange; the live stream's
# fanout exchange and each instance's server-named queue bound to it
account "$RABBITMQ_BACKEND_USER" "$RABBITMQ_BACKEND_PASS" \
  '^(game_events(\..+)?|task_changes|amq\.gen-.+)$' \
  '^(amq\.default|task_changes|amq\.gen-.+)$' \
  '^(game_events(\..+)?|task_changes|amq\.gen-.+)$'
# declares the topology, consumes game_events, publishes retries and parked messages
account "$RABBITMQ_CONSUMER_USER" "$RABBITMQ_CONSUMER_PASS" \
  '^game_events(\..+)?$' \
  '^amq\.default$' \
  '^game_events(\..+)?$'
# declares the topology and retry tiers, publishes and replays, reads game_events.dlq
account "$RABBITMQ_PRODUCER_USER" "$RABBITMQ_PRODUCER_PASS" \
  '^game_events(\..+)?$' \
  '^amq\.default$' \
  '^game_events(\..+)?$'

touch "$ready"
wait "$server"
