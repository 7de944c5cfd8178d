# digestbot, always-on: `digestbot run` (schedule + Telegram bot + HTTP server).
# Build:  docker build -t digestbot .
# Run:    see compose.yaml (digestbot + PostgreSQL) and the README.

FROM python:3.11-slim AS build
WORKDIR /src
RUN pip install --no-cache-dir --upgrade pip build
COPY pyproject.toml README.md ./
COPY src ./src
COPY channel_templates ./channel_templates
RUN python -m build --wheel --outdir /wheels

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DIGESTBOT_CONFIG=/config/digestbot.toml
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin digestbot \
    && mkdir -p /data /config /issues \
    && chown digestbot /data /issues
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
# The example config documents every key; mount your own at /config/digestbot.toml.
COPY config/digestbot.example.toml /config/digestbot.example.toml
USER digestbot
WORKDIR /data
VOLUME ["/data", "/config"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status == 200 else 1)"
STOPSIGNAL SIGTERM
CMD ["digestbot", "run"]
