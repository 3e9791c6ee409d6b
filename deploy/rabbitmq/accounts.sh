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
trap 'kill -TERM "$server"; wait "$server"' TERM INT

rabbitmqctl await_startup --timeout 120 >/dev/null

# user, password, configure, write, read
account() {
  if rabbitmqctl -q list_users | cut -f1 | grep -qx "$1"; then
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
