# casewatch as a container: `casewatch run` (the service) as an unprivileged user.
#
#   docker build -t casewatch .
#   docker run --rm -e CASEWATCH_EMAIL_URL=... \
#       -v "$PWD/myconfig:/config:ro" -e CASEWATCH_CONFIG=/config \
#       -v casewatch-data:/data casewatch
#
# Without a mounted folder the shipped config/ (in /app/config) is used. The SQLite database
# lives in /data unless CASEWATCH_DATABASE_URL points at PostgreSQL (see compose.yaml).
# Every setting can be given as an environment variable: CASEWATCH_<FIELD>,
# CASEWATCH_<SECTION>__<FIELD> (docs/running.md, "Running as a service").

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/casewatch
WORKDIR /src
COPY pyproject.toml README.md ./
COPY pipeline ./pipeline
COPY spiders ./spiders
RUN /opt/casewatch/bin/pip install --no-compile .

FROM python:3.11-slim
ENV PATH=/opt/casewatch/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    CASEWATCH_CONFIG=/app/config \
    CASEWATCH_DATA_DIR=/data \
    CASEWATCH_LOG_FORMAT=json
RUN groupadd --system --gid 10001 casewatch \
 && useradd --system --uid 10001 --gid casewatch --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin casewatch \
 && mkdir -p /data \
 && chown casewatch:casewatch /data
COPY --from=build /opt/casewatch /opt/casewatch
COPY config /app/config
WORKDIR /app
USER casewatch:casewatch
VOLUME ["/data"]
STOPSIGNAL SIGTERM
CMD ["casewatch", "run"]
