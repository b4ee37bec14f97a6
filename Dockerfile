# syntax=docker/dockerfile:1
# The production image: gunicorn by default; the same image runs migrate, the Celery
# worker and beat (see docker-compose.yml). Build with `docker build -t realestate-crm .`
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Runtime libraries beyond Python: Pango/HarfBuzz for rendering PDFs (letters, labels),
# fontconfig and a base font. Nothing else is fetched at build time except through apt and pip.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
      fontconfig fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Runtime dependencies only, at the versions pinned in requirements.lock. The lock also
# pins the dev tools (pytest, playwright, mypy, ruff), which the image does not need, so
# the runtime list is read from pyproject.toml and the lock is used as constraints.
COPY pyproject.toml requirements.lock ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/runtime.txt \
 && pip install -r /tmp/runtime.txt -c requirements.lock \
 && rm /tmp/runtime.txt

# The unprivileged user the processes run as. It owns only the writable directories;
# the code stays root-owned and read-only to it.
RUN groupadd --system --gid 10001 crm \
 && useradd --system --uid 10001 --gid crm --create-home --home-dir /home/crm \
      --shell /usr/sbin/nologin crm \
 && mkdir -p /app/var /var/lib/crm/media /var/lib/crm/beat \
 && chown -R crm:crm /app/var /var/lib/crm

COPY . .

ENV CRM_VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/var/lib/crm/media \
    DEBUG=false \
    PORT=8000

# Static files are collected (hashed and compressed for WhiteNoise) into the image.
# The key is a throwaway: collectstatic needs settings to load, not a real secret.
RUN SECRET_KEY=collectstatic-only-not-a-secret python manage.py collectstatic --noinput \
 && rm -rf /app/var/* \
 && chown crm:crm /app/var

USER crm
EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py", "crm.wsgi"]
