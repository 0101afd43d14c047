# syntax=docker/dockerfile:1
# oddswatch: one image for every role. docker-compose.yml picks the role with `command:`
# (simulator, migrate, beat, workers per queue, Flower), the same processes as `make up`.
FROM python:3.11-slim-bookworm

# OW_CHROMIUM_PATH empty: the DraftKings client launches Playwright's own Chromium
# (installed below into PLAYWRIGHT_BROWSERS_PATH, readable by the runtime user).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PLAYWRIGHT_BROWSERS_PATH=/ms-playwright \
    OW_CHROMIUM_PATH=""

WORKDIR /app

# Dependencies first, read from pyproject.toml alone, so that a code change keeps this
# layer and the Chromium one below cached.
COPY pyproject.toml ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep=chr(10))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# Playwright's Chromium and the Debian libraries it needs (--with-deps runs apt-get).
RUN python -m playwright install --with-deps chromium \
    && rm -rf /var/lib/apt/lists/*

# The source tree stays at /app and is installed in place (editable): sinks/db.py finds
# migrations/ (not part of the package) beside the packages, in the source tree.
# /app/var/flower belongs to the runtime user, so the `flower-auth` volume mounted there
# starts out owned by it.
COPY . .
RUN pip install --no-deps -e . \
    && useradd --create-home --uid 10001 --user-group oddswatch \
    && mkdir -p /app/var/flower \
    && chown -R oddswatch:oddswatch /app/var

USER oddswatch
CMD ["oddswatch", "--help"]
