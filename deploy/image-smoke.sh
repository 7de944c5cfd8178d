#!/usr/bin/env bash
# `make image-smoke`: build the Dockerfile and run the image once, without a registry or a
# Docker engine.
#   1. debootstrap a Debian bookworm with python3 from the Debian mirror (cached)
#   2. import it into buildah's own storage as the base image
#   3. build the Dockerfile on it (--build-arg BASE=...), as `docker build` would
#   4. check the image: its user, its HEALTHCHECK, a demo publish with config/demo.toml, then
#      `digestbot run` answering the HEALTHCHECK's own command on a port set through the
#      environment, and SIGTERM stopping it cleanly
# Skips (exit 0, with the reason) where debootstrap/buildah are missing or we are not root.
# Everything lives under $SMOKE_DIR (default /var/tmp/digestbot-image-smoke); SMOKE_REFRESH=1
# rebuilds the Debian base, SMOKE_KEEP=1 keeps the built image.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
SMOKE_DIR=${SMOKE_DIR:-/var/tmp/digestbot-image-smoke}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
BASE=localhost/digestbot-smoke-base:bookworm
IMAGE=localhost/digestbot:smoke
say() { printf 'image-smoke: %s\n' "$*" >&2; }
skip() { say "SKIPPED: $*"; exit 0; }

for tool in debootstrap buildah; do
    command -v "$tool" >/dev/null || skip "$tool is not installed (apt-get install debootstrap buildah)"
done
[[ $(id -u) == 0 ]] || skip "debootstrap and buildah's chroot isolation need root"

# Storage of our own (vfs: no overlay mounts, no user namespaces needed in a sandbox) and
# chroot isolation: the container shares the host's network, so its port is reachable here.
export BUILDAH_ISOLATION=chroot
B=(buildah --root "$SMOKE_DIR/storage" --runroot "$SMOKE_DIR/run" --storage-driver vfs)
mkdir -p "$SMOKE_DIR"
started=$SECONDS

# 1+2. The base: what python:3.11-slim-bookworm is, from Debian's own packages.
if [[ -n ${SMOKE_REFRESH:-} ]] || ! "${B[@]}" inspect --type image "$BASE" >/dev/null 2>&1; then
    rootfs="$SMOKE_DIR/rootfs"
    rm -rf "$rootfs"
    say "debootstrap bookworm from $MIRROR"
    debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
        bookworm "$rootfs" "$MIRROR" >"$SMOKE_DIR/debootstrap.log" 2>&1 \
        || { tail -20 "$SMOKE_DIR/debootstrap.log" >&2; exit 1; }
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

# 3. The build, layer-cached like docker build: a change under src/ reuses the dependencies.
build_started=$SECONDS
say "building the Dockerfile on $BASE"
"${B[@]}" build --format docker --layers --build-arg "BASE=$BASE" -t "$IMAGE" -f Dockerfile . \
    >"$SMOKE_DIR/build.log" 2>&1 || { tail -30 "$SMOKE_DIR/build.log" >&2; exit 1; }
say "built in $((SECONDS - build_started)) s"

# 4. The image as Docker would run it.
fail() { say "FAILED: $*"; exit 1; }
user=$("${B[@]}" inspect --type image --format '{{.Docker.Config.User}}' "$IMAGE")
[[ $user == 10001:10001 ]] || fail "image user is '$user', not 10001:10001"
healthcheck=$("${B[@]}" inspect --type image --format '{{.Docker.Config.Healthcheck.Test}}' "$IMAGE")
[[ $healthcheck == "[CMD digestbot healthcheck]" ]] || fail "HEALTHCHECK is '$healthcheck'"
probe=${healthcheck#\[CMD }
probe=${probe%]}

ctr=$("${B[@]}" from "$IMAGE")
cleanup() {
    "${B[@]}" rm "$ctr" >/dev/null 2>&1 || true
    [[ -n ${SMOKE_KEEP:-} ]] || "${B[@]}" rmi "$IMAGE" >/dev/null 2>&1 || true
}
trap cleanup EXIT
run() {
    "${B[@]}" run --env DIGESTBOT_SERVER_PORT="$port" \
        -v "$REPO/config/demo.toml:/config/digestbot.toml:ro" \
        -v "$REPO/samples:/data/samples:ro" "$ctr" -- "$@"
}
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

run sh -c 'test "$(id -u):$(id -g)" = 10001:10001 && touch /data/.writable && rm /data/.writable' \
    || fail "not running as 10001:10001 with a writable /data"
! run sh -c 'touch /opt/digestbot/x 2>/dev/null' || fail "the user may write the installed code"
run digestbot publish --file samples/2026-04-20.txt >"$SMOKE_DIR/publish.log" 2>&1 \
    || { cat "$SMOKE_DIR/publish.log" >&2; fail "demo publish"; }
outbox() { run sh -c 'find demo-data/outbox -type f | sort'; }
first=$(outbox)
for channel in telegram slack email; do
    grep -q "outbox/$channel/" <<<"$first" || fail "the demo publish wrote nothing for $channel"
done
run digestbot publish --file samples/2026-04-20.txt >>"$SMOKE_DIR/publish.log" 2>&1 \
    || { cat "$SMOKE_DIR/publish.log" >&2; fail "second demo publish"; }
[[ $(outbox) == "$first" ]] || fail "a second publish sent something again"
say "demo publish: outbox written, a second publish sends nothing"

# The service in the background, the HEALTHCHECK's command against it, then SIGTERM.
run sh -c "digestbot run 2>/tmp/run.log & pid=\$!
    i=0
    until $probe; do
        i=\$((i + 1)); [ \$i -lt 90 ] || { cat /tmp/run.log; exit 1; }; sleep 1
    done
    # Listening on every address (the image's DIGESTBOT_SERVER_HOST), not only loopback.
    grep -q ' 00000000:$(printf %04X "$port") 00000000:0000 0A ' /proc/net/tcp \
        || { echo 'not listening on 0.0.0.0'; exit 1; }
    kill -TERM \$pid; wait \$pid" >"$SMOKE_DIR/run.log" 2>&1 \
    || { cat "$SMOKE_DIR/run.log" >&2; fail "digestbot run never became healthy"; }
grep -q "^healthy: http://127.0.0.1:$port/healthz" "$SMOKE_DIR/run.log" \
    || fail "healthcheck did not use the port from DIGESTBOT_SERVER_PORT"
say "digestbot run: on 0.0.0.0:$port, '$probe' healthy, SIGTERM stopped it with exit 0"
say "PASSED in $((SECONDS - started)) s"
