#!/usr/bin/env bash
# The main job: prepare the database and the demo company, then serve the web app.
# Without REDIS_URL, background jobs run in-process; with it, a Celery worker and beat are started.
# Served for people (sop_site/settings/run.py): DEBUG off, the site's own error pages, static
# files collected into staticfiles/ and served by WhiteNoise.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-sop_site.settings.run}

# Only new or changed files are copied and compressed, so a restart stays quick.
$PY manage.py collectstatic --noinput --verbosity 0

# The daily forecast is ready before the app opens; the weekly (medium-term) one follows
# in the background on the first start, so a newcomer is not kept waiting for both.
$PY manage.py bootstrap --forecasts daily

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
# On the first start the rest of the demo's work follows in the background, one after the
# other: the weekly forecast, the first anomaly scan, the first inventory plan and the next
# month's S&OP cycle (refused, harmlessly, once it exists).
{
  $PY manage.py forecast --granularity weekly --if-missing
  $PY manage.py scan_anomalies --full --if-missing
  $PY manage.py plan_inventory --if-missing
  $PY manage.py open_cycle || true
} > var/first-start.log 2>&1 &
pids+=($!)
echo "Weekly forecast, anomaly scan, inventory plan and S&OP cycle: made in the background if missing (log: var/first-start.log)"
if [ -n "${REDIS_URL:-}" ]; then
  .venv/bin/celery -A sop_site worker --loglevel INFO --concurrency "${CELERY_CONCURRENCY:-2}" &
  pids+=($!)
  .venv/bin/celery -A sop_site beat --loglevel INFO \
    --scheduler django_celery_beat.schedulers:DatabaseScheduler &
  pids+=($!)
fi
echo "Serving on http://$HOST:$PORT/  (Ctrl-C stops)"
$PY manage.py runserver "$HOST:$PORT" --noreload
