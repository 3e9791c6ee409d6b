#!/usr/bin/env bash
# Proves the README's two commands on a really fresh machine: builds a clean Debian 12 (bookworm)
# root file system with debootstrap, copies in this machine's Node and npm and a `git clone` of
# the repository at REF, makes a user `dev` with sudo, and, as that user, runs `./run-system`
# (every /health answers 200 and a game created through the API completes; then a second start,
# timed), then `./run-tests` (the whole suite, then a second set-up pass, timed).
#
# The fresh machine never meets this machine's services: it runs in its own network namespace
# (its own 127.0.0.1; NAT through a veth pair for apt and the npm registry only) and its own PID
# and mount namespaces (`unshare --pid --fork --mount`), so nothing in it can see, reach, stop or
# kill this machine's MariaDB or RabbitMQ. When its first process ends, the kernel ends the rest.
# Whatever happens, the trap removes the namespace, the veth pair, the NAT rules and the folder.
#
#   sudo scripts/check-fresh-machine.sh [REF]     REF: a commit or branch (default: HEAD)
#   FRESH_SKIP_TESTS=1   only the system part (debootstrap, ./run-system, the API check)
#   FRESH_BASE_CACHE=/var/tmp/bookworm.tar   keep the bare debootstrap result there, reuse it
#   FRESH_KEEP=1         keep the root file system (its path is printed) for a look afterwards
#   FRESH_REPO=PATH      the repository to clone (default: the one this script is in)
# Takes 20-45 minutes (most of it the test suite). Not part of `npm test` or CI; never run it
# beside a measurement. docs/fresh-machine.md says what it proves.
set -euo pipefail

REPO=${FRESH_REPO:-$(cd "$(dirname "$0")/.." && pwd)}
REF=${1:-HEAD}
COMMIT=$(git -C "$REPO" rev-parse --verify "$REF^{commit}")
ID=$$
WORK=${FRESH_DIR:-/var/tmp/retro-fresh-$ID}
ROOTFS=$WORK/rootfs
NS=retro-fresh-$ID
VETH=rfh$ID
SUBNET_OCTET=$((ID % 200 + 20))
HOST_IP=10.231.$SUBNET_OCTET.1
GUEST_IP=10.231.$SUBNET_OCTET.2
SUBNET=10.231.$SUBNET_OCTET.0/30
MIRROR=${FRESH_MIRROR:-http://deb.debian.org/debian}
STARTED=$SECONDS
STEP_STARTED=$SECONDS
TIMES=()

say() { printf '[fresh] %s\n' "$*"; }
step() {
  step_done
  CURRENT=$1
  STEP_STARTED=$SECONDS
  say "== $1"
}
step_done() {
  if [ -n "${CURRENT:-}" ]; then
    TIMES+=("$(printf '%-44s %5d s' "$CURRENT" $((SECONDS - STEP_STARTED)))")
    CURRENT=
  fi
}
fail() {
  say "FAILED: $*"
  exit 1
}

if [ "$(id -u)" -ne 0 ]; then exec sudo -- "$0" "$@"; fi

ip_forward_before=$(cat /proc/sys/net/ipv4/ip_forward)
cleanup() {
  local status=$?
  set +e
  step_done
  # whatever still runs in the guest's network namespace was started by this script
  if ip netns list 2>/dev/null | grep -q "^$NS\b"; then
    ip netns pids "$NS" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
    sleep 1
  fi
  ip netns del "$NS" 2>/dev/null
  ip link del "$VETH" 2>/dev/null
  iptables -t nat -D POSTROUTING -s "$SUBNET" ! -d "$SUBNET" -j MASQUERADE 2>/dev/null
  iptables -D FORWARD -s "$SUBNET" -j ACCEPT 2>/dev/null
  iptables -D FORWARD -d "$SUBNET" -j ACCEPT 2>/dev/null
  echo "$ip_forward_before" >/proc/sys/net/ipv4/ip_forward
  # every mount was made in the guest's own mount namespace; refuse to delete if one is visible
  if grep -q " $ROOTFS" /proc/mounts; then
    say "mounts remain under $ROOTFS; not deleting it"
  elif [ -z "${FRESH_KEEP:-}" ]; then
    rm -rf "$WORK"
  else
    say "kept: $ROOTFS"
  fi
  echo
  say "step times:"
  for line in "${TIMES[@]}"; do say "  $line"; done
  say "  $(printf '%-44s %5d s' 'total' $((SECONDS - STARTED)))"
  [ -n "${SUMMARY:-}" ] && say "tests: $SUMMARY"
  if [ "$status" -eq 0 ] && [ -n "${FRESH_SKIP_TESTS:-}" ]; then
    say "PASSED: ./run-system works on a fresh Debian 12 ($COMMIT); tests not run"
  elif [ "$status" -eq 0 ]; then
    say "PASSED: the two README commands work on a fresh Debian 12 ($COMMIT)"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "host tools (debootstrap, iptables)"
missing=()
for tool in debootstrap iptables; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ "${#missing[@]}" -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
    fail "apt-get install ${missing[*]}"
fi
mkdir -p "$WORK"

step "debootstrap bookworm"
if [ -n "${FRESH_BASE_CACHE:-}" ] && [ -f "$FRESH_BASE_CACHE" ]; then
  mkdir -p "$ROOTFS" && tar -C "$ROOTFS" -xf "$FRESH_BASE_CACHE"
else
  debootstrap --include=ca-certificates,git,sudo bookworm "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
    fail "debootstrap (log: $WORK/debootstrap.log; FRESH_KEEP=1 keeps it)"
  [ -n "${FRESH_BASE_CACHE:-}" ] && tar -C "$ROOTFS" -cf "$FRESH_BASE_CACHE" .
fi

step "node, npm, the clone, the user"
node_bin=$(readlink -f "$(command -v node)")
npm_dir=$(npm root -g)/npm
install -D -m 0755 "$node_bin" "$ROOTFS/usr/local/bin/node"
mkdir -p "$ROOTFS/usr/local/lib/node_modules"
cp -a "$npm_dir" "$ROOTFS/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
# the registry as this machine reaches it (and the CA bundle it trusts for that), nothing else
{
  echo "registry=$(npm config get registry)"
  cafile=$(npm config get cafile)
  if [ -n "$cafile" ] && [ "$cafile" != null ] && [ -f "$cafile" ]; then
    cp "$cafile" "$ROOTFS/usr/local/etc-npm-ca.crt"
    echo "cafile=/usr/local/etc-npm-ca.crt"
  fi
} >"$WORK/npmrc"
install -D -m 0644 "$WORK/npmrc" "$ROOTFS/usr/local/etc/npmrc"
cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
cp /etc/apt/sources.list.d/debian.sources "$ROOTFS/etc/apt/sources.list.d/" 2>/dev/null &&
  rm -f "$ROOTFS/etc/apt/sources.list"
echo fresh >"$ROOTFS/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 fresh\n::1 localhost ip6-localhost ip6-loopback\n' >"$ROOTFS/etc/hosts"
chroot "$ROOTFS" useradd --create-home --shell /bin/bash dev
echo 'dev ALL=(ALL) NOPASSWD:ALL' >"$ROOTFS/etc/sudoers.d/dev"
chmod 0440 "$ROOTFS/etc/sudoers.d/dev"
git clone -q --no-local "$REPO" "$ROOTFS/home/dev/retro-games-catalog"
git -C "$ROOTFS/home/dev/retro-games-catalog" checkout -q --detach "$COMMIT"
chroot "$ROOTFS" chown -R dev:dev /home/dev/retro-games-catalog
say "node $("$ROOTFS/usr/local/bin/node" --version), commit $COMMIT"

step "network namespace with NAT"
ip netns add "$NS"
ip link add "$VETH" type veth peer name eth0 netns "$NS"
ip addr add "$HOST_IP/30" dev "$VETH"
ip link set "$VETH" up
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" ip addr add "$GUEST_IP/30" dev eth0
ip netns exec "$NS" ip link set eth0 up
ip netns exec "$NS" ip route add default via "$HOST_IP"
echo 1 >/proc/sys/net/ipv4/ip_forward
iptables -t nat -A POSTROUTING -s "$SUBNET" ! -d "$SUBNET" -j MASQUERADE
iptables -I FORWARD -s "$SUBNET" -j ACCEPT
iptables -I FORWARD -d "$SUBNET" -j ACCEPT
# the guest's 127.0.0.1 is its own: the host's 3306 and 5672 are out of its reach
if ip netns exec "$NS" bash -c 'exec 3<>/dev/tcp/127.0.0.1/3306' 2>/dev/null; then
  fail "the namespace reaches a MariaDB on 127.0.0.1:3306 before anything started in it"
fi

# The guest: its own PID and mount namespaces inside the network namespace; /proc, /sys and
# /dev mounted there only. It runs the driver below as root, which runs the commands as `dev`.
cat >"$ROOTFS/root/driver.sh" <<'DRIVER'
#!/bin/bash
set -uo pipefail
APP=/home/dev/retro-games-catalog
as_dev() { su - dev -c "cd $APP && $1"; }
mark() { echo "[guest] @$SECONDS $*"; }
mark "start: pid $$ (1 means a PID namespace of its own)"

mark "./run-system (first)"
as_dev "./run-system" >/tmp/run-system-1.log 2>&1 &
system=$!
if ! as_dev "node scripts/lib/fresh-machine-probe.mjs 1500"; then
  tail -n 40 /tmp/run-system-1.log
  exit 1
fi
mark "system up and a game completed"
stop_system() {
  pkill -TERM -u dev -f 'node scripts/start.mjs'
  wait "$system"
}
stop_system

mark "./run-system (second)"
as_dev "./run-system" >/tmp/run-system-2.log 2>&1 &
system=$!
second=$SECONDS
as_dev "node scripts/lib/fresh-machine-probe.mjs 120" || { tail -n 40 /tmp/run-system-2.log; exit 1; }
mark "second start: every /health 200 after $((SECONDS - second)) s"
grep -h 'everything is in place\|ready in' /tmp/run-system-2.log
stop_system

mark "npm run dev, then a change to backend/src/main.ts"
as_dev "npm run dev" >/tmp/dev.log 2>&1 &
dev=$!
as_dev "node scripts/lib/fresh-machine-probe.mjs 300" >/dev/null || { tail -n 40 /tmp/dev.log; exit 1; }
as_dev "echo '// changed by check-fresh-machine' >> backend/src/main.ts"
for _ in $(seq 1 90); do grep -q "Restarting 'dist/main.js'" /tmp/dev.log && break; sleep 1; done
grep -q "Restarting 'dist/main.js'" /tmp/dev.log || { tail -n 40 /tmp/dev.log; echo "[guest] FAILED: npm run dev did not restart"; exit 1; }
as_dev "node scripts/lib/fresh-machine-probe.mjs 120" >/dev/null || { tail -n 40 /tmp/dev.log; exit 1; }
mark "npm run dev rebuilt and restarted the backend, which answers again"
pkill -TERM -u dev -f 'scripts/dev.mjs'
wait "$dev"
as_dev "git checkout -q backend/src/main.ts"

if [ -n "${FRESH_SKIP_TESTS:-}" ]; then mark "tests skipped (FRESH_SKIP_TESTS)"; exit 0; fi
mark "./run-tests (first)"
as_dev "./run-tests" >/tmp/run-tests-1.log 2>&1
status=$?
tail -n 25 /tmp/run-tests-1.log
mark "./run-tests exited $status"
mark "./run-tests set-up (second)"
as_dev "node scripts/prepare.mjs tests"
mark "done"
exit "$status"
DRIVER
chmod +x "$ROOTFS/root/driver.sh"

if [ -n "${FRESH_SKIP_TESTS:-}" ]; then tests=""; else tests=", ./run-tests"; fi
step "guest: ./run-system, API check, restart, dev$tests"
ip netns exec "$NS" unshare --pid --fork --mount --uts --propagation private bash -c '
  set -e
  root=$1
  hostname fresh
  mount -t proc proc "$root/proc"
  mount -t sysfs sysfs "$root/sys"
  mount --rbind /dev "$root/dev"
  mount --make-rslave "$root/dev"
  mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
  mount -t tmpfs -o mode=0755 tmpfs "$root/run"
  exec chroot "$root" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root TERM=dumb FRESH_SKIP_TESTS="$2" /root/driver.sh
' guest "$ROOTFS" "${FRESH_SKIP_TESTS:-}" 2>&1 | tee "$WORK/guest.log" || true
# the guest's own step times, as it printed them
grep '^\[guest\] @' "$WORK/guest.log" | while read -r _ at rest; do say "  guest ${at#@} s: $rest"; done
SUMMARY=$(grep -E '^Summary: [0-9]+ passed' "$WORK/guest.log" | tail -n 1 || true)
grep -q '\[guest\] @[0-9]* done$\|tests skipped (FRESH_SKIP_TESTS)' "$WORK/guest.log" ||
  fail "the guest stopped early (its output above; FRESH_KEEP=1 keeps $ROOTFS)"
if [ -n "$SUMMARY" ] && ! [[ "$SUMMARY" =~ ' 0 failed' ]]; then fail "tests: $SUMMARY"; fi
step_done
