# One image for web, worker and beat; the command picks the role (see docker-compose.yml).
FROM python:3.11-slim AS base
# MALLOC_ARENA_MAX=2: glibc gives each thread its own heap arena, and a gunicorn gthread worker
# kept freed memory in four of them (docs/performance.md, "Processes": -5 MB per web worker).
# MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_: fixed at glibc's initial 128 KiB; otherwise the
# first freed large block (a request body, a 130 KB JSON response) raises the mmap threshold and
# later ones come from the heap and leave holes in it (-13 MB per web worker, same section).
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=131072 MALLOC_TRIM_THRESHOLD_=131072
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
RUN DEBUG=true python manage.py collectstatic --no-input \
    && useradd --system --uid 10001 kyb && mkdir -p /tmp/prometheus && chown kyb /tmp/prometheus
USER kyb
EXPOSE 8000
CMD ["gunicorn", "-c", "kyb/gunicorn_conf.py", "kyb.wsgi:application"]
