# digestbot, always-on: `digestbot run` (schedule + Telegram bot + HTTP server).
#   docker build -t digestbot .        (compose.yaml builds it for you; see the README)
#
# BASE is the official python image pinned by digest, so every build starts from the same bytes.
# The digest is the multi-architecture index of python:3.11.15-slim-bookworm. To move to a newer
# release, look the digest up and replace tag and digest together:
#   docker buildx imagetools inspect python:3.11-slim-bookworm   (the "Digest:" line)
#   or: skopeo inspect --raw docker://python:3.11-slim-bookworm | sha256sum
# `make image-smoke` builds this file on a Debian base of its own: --build-arg BASE=...
ARG BASE=python:3.11.15-slim-bookworm@sha256:d29f48a31a8b408ed19272ca1e7b10ebae13b240a27e862d3d4217c528e2e0c3

FROM ${BASE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
# Dependencies first, exactly as locked (hash-checked): changes under src/ reuse this layer.
COPY requirements.lock requirements-build.lock /tmp/
RUN python3 -m venv /opt/digestbot \
    && /opt/digestbot/bin/pip install --require-hashes --no-deps -r /tmp/requirements.lock \
    && python3 -m venv /opt/build \
    && /opt/build/bin/pip install --require-hashes --no-deps -r /tmp/requirements-build.lock
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
COPY channel_templates ./channel_templates
# The wheel carries channel_templates/; `pip check` proves the lock covers every dependency.
RUN /opt/build/bin/pip wheel --no-deps --no-build-isolation --wheel-dir /wheels . \
    && /opt/digestbot/bin/pip install --no-deps /wheels/digestbot-*.whl \
    && /opt/digestbot/bin/pip check

FROM ${BASE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/digestbot/bin:$PATH \
    DIGESTBOT_CONFIG=/config/digestbot.toml \
    DIGESTBOT_SERVER_HOST=0.0.0.0
# A fixed uid/gid, so a bind-mounted /data can be chowned to it on the host (10001:10001).
RUN groupadd --system --gid 10001 digestbot \
    && useradd --system --uid 10001 --gid 10001 --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin digestbot \
    && mkdir -p /data /config /issues \
    && chown 10001:10001 /data
COPY --from=build /opt/digestbot /opt/digestbot
# The example config documents every key; mount your own at /config/digestbot.toml.
COPY config/digestbot.example.toml /config/digestbot.example.toml
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
# The server's port is [server] port (or DIGESTBOT_SERVER_PORT); the healthcheck reads the same.
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=15s --start-period=60s --retries=3 \
    CMD ["digestbot", "healthcheck"]
STOPSIGNAL SIGTERM
CMD ["digestbot", "run"]
