#!/usr/bin/env bash
# The main job: prepare the database and the demo company, then serve the web app.
# Without REDIS_URL, background jobs run in-process; with it, a Celery worker and beat are started.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}

$PY manage.py bootstrap

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
if [ -n "${REDIS_URL:-}" ]; then
  .venv/bin/celery -A sop_site worker --loglevel INFO --concurrency "${CELERY_CONCURRENCY:-2}" &
  pids+=($!)
  .venv/bin/celery -A sop_site beat --loglevel INFO \
    --scheduler django_celery_beat.schedulers:DatabaseScheduler &
  pids+=($!)
fi
echo "Serving on http://$HOST:$PORT/  (Ctrl-C stops)"
$PY manage.py runserver "$HOST:$PORT" --noreload
