#!/usr/bin/env bash
# `make image-smoke`: build the Dockerfile and run the image, without a registry or a Docker
# engine.
#   1. debootstrap a Debian bookworm with python3 from the Debian mirror (kept for next time)
#   2. import it into buildah's own storage as the base image
#   3. build the Dockerfile on it (--build-arg BASE=...), as `docker build` would
#   4. check the image's user and HEALTHCHECK, then run it as `docker run` would: podman,
#      read-only root, port published on loopback; through that port /healthz, the Slack
#      command and the unsubscribe page answer; `podman healthcheck run` (the image's own
#      HEALTHCHECK) passes; a demo publish (config/demo.toml) writes the outbox and a second
#      one sends nothing; `podman stop` (SIGTERM) ends it with exit 0. Where podman cannot run
#      containers, the same checks (but the published port) run with `buildah run`.
# Skips (exit 0, with the reason) where debootstrap/buildah are missing or we are not root.
# State lives under $SMOKE_DIR (default /var/tmp/digestbot-image-smoke): the Debian base is
# kept, the built image removed. SMOKE_REFRESH=1 rebuilds the base.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
SMOKE_DIR=${SMOKE_DIR:-/var/tmp/digestbot-image-smoke}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
BASE=localhost/digestbot-smoke-base:bookworm
IMAGE=localhost/digestbot:smoke
say() { printf 'image-smoke: %s\n' "$*" >&2; }
skip() { say "SKIPPED: $*"; exit 0; }
fail() { say "FAILED: $*"; exit 1; }

for tool in debootstrap buildah; do
    command -v "$tool" >/dev/null || skip "$tool is not installed (apt-get install debootstrap buildah)"
done
[[ $(id -u) == 0 ]] || skip "debootstrap and buildah's chroot isolation need root"
mkdir -p "$SMOKE_DIR"
started=$SECONDS

# Storage of our own. overlay where the kernel lets us mount it, else vfs (slow, large).
# Builds use chroot isolation: no user namespaces needed, the host's network for pip.
driver=vfs
probe="$SMOKE_DIR/overlay-probe"
mkdir -p "$probe"/{lower,upper,work,merged}
if mount -t overlay overlay \
    -o "lowerdir=$probe/lower,upperdir=$probe/upper,workdir=$probe/work" "$probe/merged" 2>/dev/null
then
    umount "$probe/merged"
    driver=overlay
fi
rm -rf "$probe"
export BUILDAH_ISOLATION=chroot
STORE=(--root "$SMOKE_DIR/storage-$driver" --runroot "$SMOKE_DIR/run-$driver" --storage-driver "$driver")
B=(buildah "${STORE[@]}")

# 1+2. The base: what python:3.11-slim-bookworm is, from Debian's own packages.
if [[ -n ${SMOKE_REFRESH:-} ]] || ! "${B[@]}" inspect --type image "$BASE" >/dev/null 2>&1; then
    rootfs="$SMOKE_DIR/rootfs"
    rm -rf "$rootfs"
    say "debootstrap bookworm from $MIRROR"
    debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
        bookworm "$rootfs" "$MIRROR" >"$SMOKE_DIR/debootstrap.log" 2>&1 \
        || { tail -20 "$SMOKE_DIR/debootstrap.log" >&2; fail "debootstrap"; }
    # Trust what this machine trusts: PyPI may be reached through a TLS-inspecting proxy.
    cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    ctr=$("${B[@]}" from scratch)
    tar -C "$rootfs" -cf - . | tar -C "$("${B[@]}" mount "$ctr")" -xf -
    "${B[@]}" umount "$ctr" >/dev/null
    "${B[@]}" config --env PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
        --env LANG=C.UTF-8 --cmd /bin/sh "$ctr"
    "${B[@]}" commit -q "$ctr" "$BASE" >/dev/null
    "${B[@]}" rm "$ctr" >/dev/null
    rm -rf "$rootfs"
    say "base image ready ($((SECONDS - started)) s)"
fi

# 3. The build.
build_started=$SECONDS
say "building the Dockerfile on $BASE ($driver storage)"
"${B[@]}" build --format docker --build-arg "BASE=$BASE" -t "$IMAGE" -f Dockerfile . \
    >"$SMOKE_DIR/build.log" 2>&1 || { tail -30 "$SMOKE_DIR/build.log" >&2; fail "build"; }
say "built in $((SECONDS - build_started)) s"
cleanup() {
    [[ -z ${cid:-} ]] || "${P[@]}" rm -f "$cid" >/dev/null 2>&1 || true
    [[ -z ${ctr:-} ]] || "${B[@]}" rm "$ctr" >/dev/null 2>&1 || true
    "${B[@]}" rmi "$IMAGE" >/dev/null 2>&1 || true
    "${B[@]}" rmi --prune >/dev/null 2>&1 || true
}
trap cleanup EXIT

# 4. The image.
user=$("${B[@]}" inspect --type image --format '{{.Docker.Config.User}}' "$IMAGE")
[[ $user == 10001:10001 ]] || fail "image user is '$user', not 10001:10001"
healthcheck=$("${B[@]}" inspect --type image --format '{{.Docker.Config.Healthcheck.Test}}' "$IMAGE")
[[ $healthcheck == "[CMD digestbot healthcheck]" ]] || fail "HEALTHCHECK is '$healthcheck'"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mounts=(-v "$REPO/config/demo.toml:/config/digestbot.toml:ro" -v "$REPO/samples:/data/samples:ro")

# The sandbox this was written in cannot raise rlimits (no CAP_SYS_RESOURCE) and has hybrid
# cgroups, which crun refuses: no default ulimits, and runc where it is installed.
printf '[containers]\ndefault_ulimits = []\n' >"$SMOKE_DIR/containers.conf"
export CONTAINERS_CONF="$SMOKE_DIR/containers.conf"
P=(podman "${STORE[@]}")
! command -v runc >/dev/null || P+=(--runtime runc)
engine=buildah
if ! command -v podman >/dev/null; then
    say "podman is not installed: running with buildah run (no network namespace, no published port)"
elif ! why=$("${P[@]}" run --rm "$BASE" true 2>&1); then
    say "podman cannot run containers here ($why): running with buildah run instead"
else
    engine=podman
fi

if [[ $engine == podman ]]; then
    # podman.log: podman complains there that its healthcheck timer needs systemd; the
    # HEALTHCHECK is run on demand below instead.
    cid=$("${P[@]}" run -d --read-only -p "127.0.0.1:$port:8080" "${mounts[@]}" "$IMAGE" \
        2>>"$SMOKE_DIR/podman.log")
    inside() { "${P[@]}" exec "$cid" "$@"; }
    for _ in $(seq 90); do
        "${P[@]}" healthcheck run "$cid" >/dev/null 2>&1 && break
        [[ $("${P[@]}" inspect --format '{{.State.Running}}' "$cid") == true ]] \
            || { "${P[@]}" logs "$cid" >&2; fail "digestbot run exited"; }
        sleep 1
    done
    "${P[@]}" healthcheck run "$cid" >/dev/null || { "${P[@]}" logs "$cid" >&2; fail "never healthy"; }
    # Through the published port, as Slack, a reader and a load balancer reach it.
    url="http://127.0.0.1:$port"
    curl -fsS "$url/healthz" | grep -q '"scheduler":{"status":"ok"' || fail "/healthz through the port"
    [[ $(curl -s -o /dev/null -w '%{http_code}' -X POST "$url/slack/commands") == 503 ]] \
        || fail "the Slack command route does not answer through the port"
    curl -s "$url/unsubscribe?t=x" | grep -q "Unsubscribe links are not configured" \
        || fail "the unsubscribe page does not answer through the port"
    say "podman: healthy by the image's HEALTHCHECK; /healthz, /slack/commands, /unsubscribe answer on 127.0.0.1:$port"
else
    ctr=$("${B[@]}" from "$IMAGE")
    inside() { "${B[@]}" run --env DIGESTBOT_SERVER_PORT="$port" "${mounts[@]}" "$ctr" -- "$@"; }
    inside sh -c "digestbot run 2>/tmp/run.log & pid=\$!
        i=0
        until digestbot healthcheck; do
            i=\$((i + 1)); [ \$i -lt 90 ] || { cat /tmp/run.log; exit 1; }; sleep 1
        done
        grep -q ' 00000000:$(printf %04X "$port") 00000000:0000 0A ' /proc/net/tcp \
            || { echo 'not listening on 0.0.0.0'; exit 1; }
        kill -TERM \$pid; wait \$pid" >"$SMOKE_DIR/run.log" 2>&1 \
        || { cat "$SMOKE_DIR/run.log" >&2; fail "digestbot run never became healthy"; }
    say "buildah: digestbot run listened on 0.0.0.0:$port, 'digestbot healthcheck' passed, SIGTERM ended it with 0"
fi

[[ $(inside id -u):$(inside id -g) == 10001:10001 ]] || fail "not running as 10001:10001"
inside sh -c 'touch /data/.writable && rm /data/.writable' || fail "/data is not writable"
! inside sh -c 'touch /opt/digestbot/x' 2>/dev/null || fail "the user may write the installed code"
inside digestbot publish --file samples/2026-04-20.txt >"$SMOKE_DIR/publish.log" 2>&1 \
    || { cat "$SMOKE_DIR/publish.log" >&2; fail "demo publish"; }
first=$(inside find demo-data/outbox -type f)
for channel in telegram slack email; do
    grep -q "outbox/$channel/" <<<"$first" || fail "the demo publish wrote nothing for $channel"
done
inside digestbot publish --file samples/2026-04-20.txt >>"$SMOKE_DIR/publish.log" 2>&1 \
    || { cat "$SMOKE_DIR/publish.log" >&2; fail "second demo publish"; }
[[ $(inside find demo-data/outbox -type f) == "$first" ]] || fail "a second publish sent something again"
say "demo publish as uid 10001: outbox written under /data, a second publish sends nothing"

if [[ $engine == podman ]]; then
    "${P[@]}" stop -t 45 "$cid" >/dev/null 2>>"$SMOKE_DIR/podman.log"
    code=$("${P[@]}" inspect --format '{{.State.ExitCode}}' "$cid")
    [[ $code == 0 ]] || { "${P[@]}" logs "$cid" >&2; fail "exit code $code after SIGTERM"; }
    say "podman stop: SIGTERM ended digestbot run with exit 0"
fi
say "PASSED in $((SECONDS - started)) s"
