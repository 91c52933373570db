"""Base settings: the embedded default (SQLite, in-process jobs) and development.

Every deployment-specific value comes from the environment (django-environ), so the same
code runs on one laptop and on a PostgreSQL + Redis + many-workers deployment.
"""

from pathlib import Path

import environ
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env(
    "DJANGO_SECRET_KEY", default="django-insecure-embedded-default-change-me-for-any-deployment"
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_htmx",
    "django_filters",
    "django_tables2",
    "django_celery_beat",
    "axes",
    "accounts",
    "audit",
    "jobs",
    "masterdata",
    "history",
    "imports",
    "demo",
    "forecasting",
    "anomalies",
    "inventory",
    "planning",
    "pilots",
    "assistant",
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.middleware.AuditContextMiddleware",
    "accounts.middleware.ScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sop_site.urls"
WSGI_APPLICATION = "sop_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
                "jobs.context_processors.notifications",
                "masterdata.context_processors.company",
                "anomalies.context_processors.alert_notifications",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'sop.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while an in-process job writes; IMMEDIATE avoids
    # "database is locked" upgrades from read to write transactions.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-262144;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login rate limiting: lock a username+IP pair after five failures for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "sop_site.staticfinders.VendoredPackageFinder",
]

# The audit log records every change of these models (see audit/registry.py for the options).
AUDITED_MODELS = {
    "auth.User": {
        "object_type": "user",
        "fields": [
            "username",
            "first_name",
            "last_name",
            "email",
            "is_active",
            "is_staff",
            "is_superuser",
        ],
        "secret": ["password"],
        "m2m": ["groups"],
    },
    "accounts.PlanningScope": {"object_type": "planning_scope", "m2m": ["regions", "categories"]},
    "authtoken.Token": {
        "object_type": "api_token",
        "fields": ["user", "created"],
        "secret": ["key"],
        "identity": "user",
    },
    "masterdata.Company": {"object_type": "company"},
    "masterdata.Store": {"object_type": "store"},
    "masterdata.SKU": {"object_type": "sku"},
    "jobs.JobLimit": {"object_type": "job_limit"},
    "forecasting.ModelPin": {
        "object_type": "model_pin",
        "fields": ["granularity", "model", "store", "sku", "category", "created_by"],
    },
    # The forecast schedules, edited in Django admin; beat's own run counters are left out.
    "django_celery_beat.PeriodicTask": {
        "object_type": "schedule",
        "fields": [
            "name",
            "task",
            "interval",
            "crontab",
            "args",
            "kwargs",
            "enabled",
            "one_off",
            "start_time",
            "expires",
            "description",
        ],
    },
    "django_celery_beat.CrontabSchedule": {"object_type": "crontab"},
    # Operators' verdicts on alerts; a scan's own writes are bulk and not audited row by row.
    "anomalies.Alert": {
        "object_type": "alert",
        "fields": ["status", "owner", "dismiss_reason", "closed_by", "closed_at"],
    },
    "anomalies.AlertPolicy": {"object_type": "alert_policy"},
    "inventory.InventorySettings": {"object_type": "inventory_settings"},
    "inventory.CategoryServiceTarget": {"object_type": "category_service_target"},
    "inventory.StorageCapacity": {"object_type": "storage_capacity"},
    # The S&OP cycle: its stage moves (also kept with their reason as StageTransition rows),
    # deadlines and review decisions. Plan lines change through Override records.
    "planning.PlanningCycle": {"object_type": "planning_cycle", "fields": ["name", "stage"]},
    "planning.StageDeadline": {"object_type": "stage_deadline"},
    "planning.Submission": {
        "object_type": "plan_submission",
        "fields": ["stage", "status", "submitted_by", "reviewed_by", "comment"],
    },
    # The planner's decision on an order recommendation (accept, edit, reject).
    "inventory.Recommendation": {
        "object_type": "recommendation",
        "fields": ["status", "final_quantity", "decided_by", "decided_at"],
    },
}

# Uploads: imports stream to a temporary file above 5 MB and are refused above the limit.
IMPORT_MAX_UPLOAD_BYTES = env.int("IMPORT_MAX_UPLOAD_BYTES", default=100 * 1024 * 1024)
# Plausible input (imports.bounds): dates from IMPORT_DATE_MIN to today + N days (sales and
# stock a week ahead at most, plans three years), maxima of quantities, money and other
# measures, decompression by ratio (beyond a small allowance) and by size, line and cell size.
IMPORT_DATE_MIN = env("IMPORT_DATE_MIN", default="1990-01-01")
IMPORT_HISTORY_DAYS_AHEAD = env.int("IMPORT_HISTORY_DAYS_AHEAD", default=7)
IMPORT_PLAN_DAYS_AHEAD = env.int("IMPORT_PLAN_DAYS_AHEAD", default=3 * 366)
IMPORT_MAX_QUANTITY = env.float("IMPORT_MAX_QUANTITY", default=1e9)
IMPORT_MAX_MONEY = env.float("IMPORT_MAX_MONEY", default=1e11)
IMPORT_MAX_MEASURE = env.float("IMPORT_MAX_MEASURE", default=1e12)
IMPORT_MAX_EXPANSION_RATIO = env.int("IMPORT_MAX_EXPANSION_RATIO", default=100)
IMPORT_EXPANSION_ALLOWANCE_BYTES = env.int("IMPORT_EXPANSION_ALLOWANCE_BYTES", default=16 * 2**20)
IMPORT_MAX_UNPACKED_BYTES = env.int("IMPORT_MAX_UNPACKED_BYTES", default=2**30)
IMPORT_MAX_LINE_BYTES = env.int("IMPORT_MAX_LINE_BYTES", default=64 * 2**10)
IMPORT_MAX_CELL_CHARS = env.int("IMPORT_MAX_CELL_CHARS", default=10_000)
IMPORT_AUDIT_MAX_ROWS = env.int("IMPORT_AUDIT_MAX_ROWS", default=1_000)
# The batch API reads its JSON body as a stream, past DATA_UPLOAD_MAX_MEMORY_SIZE: its own cap.
IMPORT_API_MAX_BODY_BYTES = env.int("IMPORT_API_MAX_BODY_BYTES", default=32 * 2**20)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
MEDIA_ROOT = VAR_DIR / "media"

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    # Plotly sets inline style attributes on the SVG it draws.
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 500,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Rates per user (token or session) and per address for anonymous requests; a client
    # past its rate gets 429 with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"user": "2000/hour", "anon": "50/hour"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "S&OP Platform API",
    "DESCRIPTION": "Master data, sales/inventory/supply facts and plans for ERP/CRM integration.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Sales grain and forecast granularity share the D/W choices: one enum in the schema.
    "ENUM_NAME_OVERRIDES": {"GrainEnum": "history.models.Grain"},
}

# Background work. With REDIS_URL: Celery on Redis, any number of workers. Without: jobs run
# in a thread of the web process (the embedded default), so pages still show live progress.
REDIS_URL = env("REDIS_URL", default="")
SOP_JOBS_MODE = env("SOP_JOBS_MODE", default="celery" if REDIS_URL else "thread")
CELERY_BROKER_URL = REDIS_URL or "memory://"
# One queue per deployment sharing a Redis server (the benchmarks use a queue of their own).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SEND_SENT_EVENT = True
CELERY_WORKER_SEND_TASK_EVENTS = True
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=4 * 3600)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=4 * 3600 - 60)
# An unacknowledged task is handed out again after this long. It matches the longest task
# (the hard limit plus a margin), so a task still running is never delivered twice; a task
# whose whole worker vanished is requeued within minutes by jobs.requeue_lost (on beat),
# not after this timeout.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 15 * 60}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Per-job defaults; an admin can set other limits per job kind (jobs.JobLimit).
JOB_DEFAULT_TIME_LIMIT_S = env.int("JOB_DEFAULT_TIME_LIMIT_S", default=3 * 3600)
JOB_DEFAULT_MEMORY_LIMIT_MB = env.int("JOB_DEFAULT_MEMORY_LIMIT_MB", default=6144)
# Finished job runs (and their uploaded files) older than this are purged every night.
JOB_RETENTION_DAYS = env.int("JOB_RETENTION_DAYS", default=90)

# How many helper tasks a forecast job fans out to (each claims chunks of series).
FORECAST_FANOUT = env.int("FORECAST_FANOUT", default=8)

# The planning assistant talks to the company's own Ollama server; with none reachable it
# answers with the grounded template narrative (the default on a fresh machine).
OLLAMA_HOST = env("OLLAMA_HOST", default="http://127.0.0.1:11434")
OLLAMA_TEXT_MODEL = env("OLLAMA_TEXT_MODEL", default="phi3:medium-128k")
OLLAMA_VISION_MODEL = env("OLLAMA_VISION_MODEL", default="llava-phi3")
# Seconds to wait for the server: to connect (a fresh machine has none) and for an answer.
OLLAMA_CONNECT_TIMEOUT_S = env.float("OLLAMA_CONNECT_TIMEOUT_S", default=2.0)
OLLAMA_TIMEOUT_S = env.float("OLLAMA_TIMEOUT_S", default=120.0)
# Questions one user may ask per hour.
ASSISTANT_QUESTIONS_PER_HOUR = env.int("ASSISTANT_QUESTIONS_PER_HOUR", default=60)

# One handler, on the root: Django's own console handler on the "django" logger is removed,
# or every record of a django.* logger would print twice with DEBUG on. A refused request
# (4xx) is logged as one line without a traceback (sop_site.log_filters), on the logger for
# the records that carry a status and on the handler for the security loggers' records.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"one_line_4xx": {"()": "sop_site.log_filters.ClientErrorWithoutTraceback"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["one_line_4xx"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.request": {"filters": ["one_line_4xx"]},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # Prophet and its Stan backend narrate every fit; only their errors matter here.
        "prophet": {"level": "ERROR"},
        "cmdstanpy": {"level": "ERROR"},
        # The Ollama client logs every HTTP request it makes; the assistant logs what matters.
        "httpx": {"level": "WARNING"},
    },
}

# Alert e-mails (anomalies): printed to the console unless a real backend is configured.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="sop@localhost")
