"""Settings for the Citizen-Engaged Community designation.

One module, configured by environment variables (see README "Deploying").
Local use needs none of them; production (DEBUG off) refuses to start
without a real SECRET_KEY.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_positive_ints, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)
DEMO = env_bool("DEMO", default=False)

_INSECURE_KEY = "insecure-local-development-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY") or (_INSECURE_KEY if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == _INSECURE_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY must be set to a random string of at least 50 characters when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Before the admin: the rubric's and the cycles' words in English and French (*/translation.py).
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "formtools",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "assessment",
    "scoring",
    "reports",
    "review",
]

MIDDLEWARE = [
    # First: refuses an over-long body (413) before anything below reads or spools it.
    "config.middleware.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After the user is known: their saved language, else the switch's cookie, else the browser's (config/language.py).
    "config.language.LanguageMiddleware",
    # Before the sign-in redirect: a wizard step posted after the session ended is held, not lost.
    "config.faults.SessionEndedStashMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A view's unavailable database or full disk becomes a 503 page that says so (other errors go on).
    "config.faults.ServiceUnavailableMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "assessment.context_processors.site",
            ],
        },
    },
]

# SQLite is the embedded default. It is tuned for several concurrent writers:
# WAL lets readers proceed during a write, IMMEDIATE transactions take the
# write lock up front (no "database is locked" on lock upgrade), and the
# timeout makes writers queue instead of failing. Connections are kept for a minute
# (as with PostgreSQL): opening one and running the PRAGMAs cost each request
# about a millisecond, a fifth of a bare signed-in page. A restore asks for the
# server to be stopped first, so a kept connection never outlives its file.
SQLITE_PATH = Path(env_str("SQLITE_PATH", str(BASE_DIR / "var" / "db.sqlite3")))
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    # A kept connection is checked before its first use in each request (and each worker loop), so one that
    # a PostgreSQL restart broke is replaced instead of failing that request.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "CONN_MAX_AGE": env_int("CONN_MAX_AGE", 60),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "assessment.User"
# django-axes first: it refuses a locked-out sign-in before the password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane; Password Storage Cheat Sheet): about
# 27 ms of one core per sign-in here, where Django's default PBKDF2 (1,000,000 rounds of SHA-256) costs about
# 250 ms, so 100 people signing in at once queued for seconds on two cores. Argon2id is memory-hard: a
# guess costs an attacker's GPU 19 MiB as well as time, which PBKDF2 does not ask. Hashes made by the
# hashers below it (PBKDF2 from earlier releases) still verify and are rehashed with Argon2id at sign-in.
PASSWORD_HASHERS = [
    "config.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A password-reset link works for a few hours; an invitation (its own tokens, assessment/invitations.py)
# for days, since people are invited ahead of time.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT_HOURS", 2) * 60 * 60
INVITATION_TIMEOUT_DAYS = env_int("INVITATION_TIMEOUT_DAYS", 7)
# Password-reset e-mails per hour, for one address and from one client address (assessment/password_reset.py).
PASSWORD_RESET_LIMIT_PER_ADDRESS = env_int("PASSWORD_RESET_LIMIT_PER_ADDRESS", 3)
PASSWORD_RESET_LIMIT_PER_CLIENT = env_int("PASSWORD_RESET_LIMIT_PER_CLIENT", 10)
# Certificate codes looked up per hour from one client address (pages/verify.py), with the same counters.
VERIFY_LIMIT_PER_CLIENT = env_int("VERIFY_LIMIT_PER_CLIENT", 30)
# The throttle's counters must be shared by every gunicorn worker, so they live in the database
# (the table is made by `migrate`, assessment/apps.py); so do wizard steps posted after a session ended,
# held for a day until the person signs in again (config/faults.py). The default cache, in each process's
# memory, holds the reports' peer figures (reports/peers.py), keyed by what they are computed from.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "throttle_cache",
        # A row per counted request, expired after the hour and deleted once there are more than this;
        # only beyond it (25,000 reset requests an hour) would live counters be culled.
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    },
}

# English and French (Canadian usage), everywhere a person reads. The catalogue is locale/fr/LC_MESSAGES/django.po,
# compiled to django.mo by `make` (the .mo is built, never committed).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
# Canadian French dates and hours (config/formats/fr/formats.py), over Django's French.
FORMAT_MODULE_PATH = ["config.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
# What organizers write (rubric levels, categories, criteria, cycle names) has a column per language
# (django-modeltranslation: name_en, name_fr); French left empty reads the English.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# The U.S. Web Design System comes from npm (package.json) and is served as
# static files under static/uswds/; it is never committed.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
STATICFILES_DIRS = [BASE_DIR / "static", ("uswds", BASE_DIR / "node_modules" / "@uswds" / "uswds" / "dist")]

# Uploaded evidence lives outside the web root and is only ever served by a
# permission-checked view (assessment.views.download_document).
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
# No URL pattern serves MEDIA_URL; Django just requires it to differ from STATIC_URL.
MEDIA_URL = "/not-served/"
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
# Bounds of checking and rewriting one evidence PDF (assessment/pdfclean.py, a process of its own per
# upload): wall-clock and CPU seconds, address space in bytes, processes at once per web process, and
# what a file may hold: pages, and bytes once its streams are decompressed (a decompression bomb).
EVIDENCE_CHECK_TIMEOUT = env_int("EVIDENCE_CHECK_TIMEOUT", 15)
EVIDENCE_CHECK_MEMORY = env_int("EVIDENCE_CHECK_MEMORY", 512 * 1024 * 1024)
EVIDENCE_CHECK_PROCESSES = env_int("EVIDENCE_CHECK_PROCESSES", 2)
EVIDENCE_MAX_PAGES = env_int("EVIDENCE_MAX_PAGES", 5000)
EVIDENCE_MAX_INFLATED = env_int("EVIDENCE_MAX_INFLATED", 256 * 1024 * 1024)
# The most a request body may have, refused with 413 before it is read (config/middleware.py):
# a small cap everywhere, and the evidence limit plus a margin for the rest of the form where a
# signed-in applicant attaches a PDF (a file a little over the limit still gets the form's message).
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 1024 * 1024)
UPLOAD_REQUEST_MAX_BYTES = env_int("UPLOAD_REQUEST_MAX_BYTES", EVIDENCE_MAX_BYTES + 1024 * 1024)
if not REQUEST_MAX_BYTES <= UPLOAD_REQUEST_MAX_BYTES or UPLOAD_REQUEST_MAX_BYTES <= EVIDENCE_MAX_BYTES:
    raise ImproperlyConfigured("UPLOAD_REQUEST_MAX_BYTES must exceed EVIDENCE_MAX_BYTES and REQUEST_MAX_BYTES.")
# Form fields never need more than the small cap; files up to 2 MB stay in memory, larger ones go to a
# temporary file (FILE_UPLOAD_TEMP_DIR, else TMPDIR) that the cap keeps under UPLOAD_REQUEST_MAX_BYTES.
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
DATA_UPLOAD_MAX_NUMBER_FILES = 5
FILE_UPLOAD_MAX_MEMORY_SIZE = min(2 * 1024 * 1024, UPLOAD_REQUEST_MAX_BYTES)
# The most one draft's stored wizard state may hold (serialized JSON), however it is posted: a complete
# application is 4 KB, one with every text field full of emoji (12 bytes each in JSON) 0.55 MB.
DRAFT_MAX_BYTES = env_int("DRAFT_MAX_BYTES", 1024 * 1024)
# /health/ says "disk": "low" when the uploads' or the SQLite database's file system has less than this free.
DISK_FREE_MIN_BYTES = env_int("DISK_FREE_MIN_BYTES", 200 * 1024 * 1024)
# A form refused by the CSRF check gets a page that says what to do (templates/403_csrf.html).
CSRF_FAILURE_VIEW = "config.views.csrf_failure"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "designation@localhost")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)

# Background work (a cycle's reports) goes through the database: a row per
# task, run by `manage.py run_worker` (django-tasks-db's db_worker, reconnecting after a database
# restart and recording a heartbeat; started by `make run`). Tests switch to
# "django_tasks.backends.immediate.ImmediateBackend" (runs at once, in-process)
# where they need the work done, or run the worker in-process.
#
# Beyond one machine (several web servers, large batches): set REDIS_URL and
# the same tasks go to Redis through RQ (django-tasks-rq), run by
# `manage.py rqworker default` on any machine
# that reaches Redis, the database and MEDIA_ROOT. See README "Background work".
REDIS_URL = env_str("REDIS_URL")
TASKS = {
    "default": {
        "BACKEND": env_str(
            "TASKS_BACKEND", "django_tasks_rq.RQBackend" if REDIS_URL else "django_tasks_db.DatabaseBackend"
        ),
    }
}
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 15 * 60}}
# RQ workers must run tasks with django-tasks-rq's job class; set here so no worker can forget it.
RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
# Django-RQ's pages in the admin read Redis: without REDIS_URL there is none to read (they gave a server error).
RQ_SHOW_ADMIN_LINK = bool(REDIS_URL)

# Bounds of one PDF render (a separate process; reports/render.py), and how long a
# worker's claim on a report holds before Resume may queue it again.
REPORT_RENDER_TIMEOUT = env_int("REPORT_RENDER_TIMEOUT", 60)
REPORT_RENDER_MEMORY = env_int("REPORT_RENDER_MEMORY", 1024 * 1024 * 1024)
REPORT_RENDER_PROCESSES = env_int("REPORT_RENDER_PROCESSES", 2)
REPORT_LEASE_SECONDS = env_int("REPORT_LEASE_SECONDS", REPORT_RENDER_TIMEOUT + 60)
# A task worker (`manage.py run_worker`) writes its heartbeat this often; /health/ and the batch page count
# it as running while its last one is younger than the stale threshold (reports.models.WorkerHeartbeat).
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 5)
WORKER_HEARTBEAT_STALE_SECONDS = env_int("WORKER_HEARTBEAT_STALE_SECONDS", 60)

# Login throttling (django-axes; Django has none). Five wrong passwords for one
# account from one address lock that pair out for 15 minutes; the same account
# from another address, and other accounts from the same address, still sign
# in. A successful sign-in clears the count. Behind reverse proxies, set
# TRUSTED_PROXY_COUNT so the address is the client's, not the proxy's.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Content-Security-Policy on every response (django-csp): scripts, styles,
# fonts and images only from our own origin; no inline scripts or styles
# anywhere (the templates have none), no plugins, no framing, forms post
# only to us. Downloads set stricter policies of their own.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SITE_NAME = "Citizen-Engaged Community Designation"
# Used in e-mails, which are sent outside any request.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Drafts still open this many days before their own deadline (an extension counts) get a reminder e-mail from
# `manage.py send_draft_reminders` (daily, from cron); e.g. DRAFT_REMINDER_DAYS=14,7,2.
DRAFT_REMINDER_DAYS = env_positive_ints("DRAFT_REMINDER_DAYS", (14, 7, 2), most=365)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
