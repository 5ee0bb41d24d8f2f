# syntax=docker/dockerfile:1
# The production image: one image runs the web app (gunicorn), the Celery worker and Celery beat;
# docker-compose.yml picks the command. See README "Production deployment".

# Front-end packages come pinned from npm (package-lock.json) and are served by WhiteNoise from
# our own static files, so Node is needed only to build the image, never to run it.
FROM node:22-slim AS frontend
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

# A numeric, non-root user, so the orchestrator can verify it is not root.
RUN groupadd --gid 10001 pact \
    && useradd --create-home --uid 10001 --gid pact --shell /usr/sbin/nologin pact

# WeasyPrint draws the returns' PDFs with Pango and HarfBuzz; DejaVu gives it a font to draw with.
# gettext's msgfmt compiles the translation catalogues (compilemessages, below).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*

# Exactly the locked packages, each file checked against its SHA-256 (`make lock` writes the lock).
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock

# The application: .dockerignore keeps a developer's .env, .venv, node_modules and database out.
COPY . .
# settings.py lists these folders in STATICFILES_DIRS, so they stay in the image: without them
# `manage.py check --deploy` warns (staticfiles.W004).
COPY --from=frontend /build/node_modules/ node_modules/

# collectstatic and compilemessages need the settings to load, and with DEBUG=0 they demand a SECRET_KEY
# and a SITE_URL: these exist only for these commands and are not kept in the image. Neither touches a
# database. The .mo catalogues are built here because the repository keeps only their .po sources.
RUN DEBUG=0 SECRET_KEY=collectstatic-only-not-a-secret SITE_URL=https://collectstatic.invalid \
    python manage.py compilemessages --ignore=node_modules \
    && DEBUG=0 SECRET_KEY=collectstatic-only-not-a-secret SITE_URL=https://collectstatic.invalid \
    python manage.py collectstatic --no-input \
    && install -d -o pact -g pact /var/lib/pact-media

USER 10001:10001
EXPOSE 8000
# JSON access and error logs, bind address and Prometheus multiprocess mode: pact_portal/gunicorn_conf.py.
CMD ["gunicorn", "pact_portal.wsgi", "-c", "python:pact_portal.gunicorn_conf", "--no-control-socket"]
