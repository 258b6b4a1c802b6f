"""The one settings module. Every deployment difference comes from environment variables.

Safe by default: DEBUG is off unless DEBUG=1 (``make demo`` sets it); without DEBUG a
missing SECRET_KEY stops start-up; production security headers are on unless DEBUG.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from fulian.lib.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off. "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))'"
        )
    SECRET_KEY = "insecure-development-key-only-for-debug-mode-" + "x" * 20

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "fulian.core",
    "fulian.portal",
    "fulian.counters",
    "fulian.search",
    "fulian.pagecache",
    "fulian.demo",
    "fulian.orgs",
    "fulian.accounts",
    "fulian.audit",
    "fulian.security",
    "fulian.people",
    "fulian.files",
    "fulian.hotline",
    "fulian.cases",
    "fulian.protection",
    "fulian.dv",
    "fulian.screening",
    "fulian.ledger",
    "fulian.jointmeeting",
    "fulian.targets",
    "fulian.chairreport",
    "wagtail.contrib.settings",
    "wagtail.contrib.redirects",
    "wagtail.contrib.table_block",
    "wagtail.contrib.typed_table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "fulian.accounts.wagtail_users.StaffUsersAppConfig",  # wagtail.users with our user forms
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    # Outermost, so it stores the response with every header the others add.
    "fulian.pagecache.middleware.PageCacheStoreMiddleware",
    "fulian.pagecache.middleware.ContentMemoMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fulian.core.middleware.CookieLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "fulian.audit.context.AuditContextMiddleware",
    "fulian.security.middleware.IntegrityErrorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "fulian.accounts.middleware.IdleTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "fulian.accounts.twofactor.TwoFactorMiddleware",
    "fulian.accounts.middleware.PasswordExpiryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "fulian.core.middleware.SecurityHeadersMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "fulian.urls"
WSGI_APPLICATION = "fulian.wsgi.application"

_template_loaders: list[object] = [
    "django.template.loaders.filesystem.Loader",
    "django.template.loaders.app_directories.Loader",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "fulian" / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fulian.portal.context_processors.portal",
            ],
            # Cached loader even in DEBUG keeps demo pages fast; templates change rarely there.
            "loaders": [("django.template.loaders.cached.Loader", _template_loaders)],
        },
    },
]

# --- Database: SQLite file by default, PostgreSQL (or any dj-database-url URL) when DATABASE_URL is set.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 600))}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(DATA_DIR / "fulian.sqlite3")),
            "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 600),
            "OPTIONS": {
                # WAL lets readers proceed while the worker writes; IMMEDIATE avoids
                # "database is locked" on read-then-write transactions.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, counters and rate limits: Redis when REDIS_URL is set, files otherwise.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "fulian"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "fulian"),
        }
    }

# --- Background jobs: django-tasks with its database backend; the worker is `manage.py run_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
TASK_RESULT_RETENTION_DAYS = env_int("TASK_RESULT_RETENTION_DAYS", 14)

# --- Public-page cache (see fulian/pagecache). Off in DEBUG so edits show at once.
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE_ENABLED", not DEBUG)
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 300)
PAGE_CACHE_DIR = Path(env_str("PAGE_CACHE_DIR", str(DATA_DIR / "pagecache")))

# --- View counting (see fulian/counters).
VIEW_REPEAT_WINDOW_SECONDS = env_int("VIEW_REPEAT_WINDOW_SECONDS", 30)
VIEW_FLUSH_SECONDS = env_int("VIEW_FLUSH_SECONDS", 10)
# Addresses of reverse proxies whose X-Forwarded-For we believe (nginx on the same host).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", ["127.0.0.1", "::1"])
# When nginx caches public pages it counts them too, by writing a hit log the worker reads.
EDGE_HIT_LOG = env_str("EDGE_HIT_LOG")
# Serve uploaded media from Django (the demo); production lets nginx serve MEDIA_ROOT.
SERVE_MEDIA = env_bool("SERVE_MEDIA", DEBUG)

# --- Auth
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "fulian.accounts.validators.CharacterClassesValidator"},
]
# 等保 level 3: sessions end after idle minutes, and at most a working day after login.
IDLE_TIMEOUT_MINUTES = env_int("IDLE_TIMEOUT_MINUTES", 15)
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90)  # 0: passwords never expire
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
LOGIN_URL_PATH = "/admin/login/"
LOGIN_URL = "wagtailadmin_login"
# Argon2id first (等保: strong one-way storage); older hashes are upgraded at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = ["fulian.accounts.backends.StaffBackend"]
WAGTAILADMIN_USER_LOGIN_FORM = "fulian.accounts.forms.StaffLoginForm"
LOCKOUT_MINUTES = env_int("LOCKOUT_MINUTES", 30)
# Two-factor login (TOTP) for roles that read personal data and for the administrators.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", True)
# Exports, reveals and bulk actions ask for the password and a code again after this many minutes.
REAUTH_MINUTES = env_int("REAUTH_MINUTES", 5)
OTP_TOTP_ISSUER = env_str("SITE_NAME", "妇联综合服务平台")
# Accounts created by `load_demo` can log in only where this is on (the demo); never in production.
DEMO_ACCOUNTS = env_bool("DEMO_ACCOUNTS", False)


def _required_secret(name: str, development_value: str) -> str:
    value = env_secret(name)
    if value:
        return value
    if not DEBUG:
        raise ImproperlyConfigured(f"{name} (or {name}_FILE) must be set when DEBUG is off; see README, 'Keys'.")
    return development_value


# --- Personal data at rest (fulian/security/crypto.py). Cipher: "aes" (AES-256-GCM) or "sm4" (SM4-GCM).
FIELD_CIPHER = env_str("FIELD_CIPHER", "aes")
FIELD_KEYS = _required_secret("FIELD_KEYS", "dev=ZGV2ZWxvcG1lbnQta2V5LW9ubHktZm9yLWRlYnVnISE=")
FIELD_KEY_ID = env_str("FIELD_KEY_ID", "")
BLIND_INDEX_KEY = _required_secret("BLIND_INDEX_KEY", "development-blind-index-key-for-debug-mode-only")
BLIND_INDEX_HASH = env_str("BLIND_INDEX_HASH", "sm3" if FIELD_CIPHER == "sm4" else "sha256")
# --- Audit trail (fulian/audit): keyed hash chain; kept at least 6 months (等保 level 3).
AUDIT_KEY = _required_secret("AUDIT_KEY", "development-audit-chain-key-for-debug-mode-only")
AUDIT_HASH = env_str("AUDIT_HASH", "sm3" if FIELD_CIPHER == "sm4" else "sha256")
AUDIT_RETENTION_DAYS = max(env_int("AUDIT_RETENTION_DAYS", 3 * 365), 183)
# Casework deadlines (days): first assessment after opening, follow-up visit, a referral's answer.
CASE_ASSESSMENT_DAYS = env_int("CASE_ASSESSMENT_DAYS", 3)
CASE_FOLLOW_UP_DAYS = env_int("CASE_FOLLOW_UP_DAYS", 30)
REFERRAL_RESPONSE_DAYS = env_int("REFERRAL_RESPONSE_DAYS", 7)
# Retention after closing (days), then the personal data is erased and the statistics kept
# (fulian/cases/retention.py): minor-protection cases, and all others (0 = kept).
MINOR_CASE_RETENTION_DAYS = max(env_int("MINOR_CASE_RETENTION_DAYS", 5 * 365), 1)
CASE_RETENTION_DAYS = env_int("CASE_RETENTION_DAYS", 0)
# 入职查询: days before a yearly re-check falls due that it is reminded and listed.
SCREENING_REMIND_DAYS = env_int("SCREENING_REMIND_DAYS", 30)
# 台账 import (fulian/ledger/imports.py): rows and size of one sheet, errors listed, hours an
# unconfirmed preview's sealed sheet is kept.
LEDGER_IMPORT_MAX_ROWS = env_int("LEDGER_IMPORT_MAX_ROWS", 50_000)
LEDGER_IMPORT_MAX_BYTES = env_int("LEDGER_IMPORT_MAX_BYTES", 10 * 1024 * 1024)
LEDGER_IMPORT_MAX_UNZIPPED_BYTES = env_int("LEDGER_IMPORT_MAX_UNZIPPED_BYTES", 256 * 1024 * 1024)
LEDGER_IMPORT_MAX_ERRORS = env_int("LEDGER_IMPORT_MAX_ERRORS", 2_000)
LEDGER_IMPORT_KEEP_HOURS = env_int("LEDGER_IMPORT_KEEP_HOURS", 24)
# 在线维权 on the portal (fulian/portal/online_forms.py): no CAPTCHA, so a form filled faster than
# this is a script; a form page older than the maximum must be reloaded; submissions and lookups per address.
ONLINE_REQUEST_MIN_SECONDS = env_int("ONLINE_REQUEST_MIN_SECONDS", 3)
ONLINE_REQUEST_MAX_AGE_SECONDS = env_int("ONLINE_REQUEST_MAX_AGE_SECONDS", 2 * 3600)
ONLINE_REQUEST_PER_HOUR = env_int("ONLINE_REQUEST_PER_HOUR", 5)
ONLINE_REQUEST_PER_DAY = env_int("ONLINE_REQUEST_PER_DAY", 20)
ONLINE_LOOKUP_LIMIT = env_int("ONLINE_LOOKUP_LIMIT", 10)
ONLINE_LOOKUP_WINDOW_SECONDS = env_int("ONLINE_LOOKUP_WINDOW_SECONDS", 600)
# Attachments of sensitive records: sealed files, outside MEDIA_ROOT (never served directly).
PRIVATE_FILES_DIR = Path(env_str("PRIVATE_FILES_DIR", str(DATA_DIR / "private")))
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
# An upload up to that size stays in memory: its plain bytes never touch a temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = ATTACHMENT_MAX_BYTES + 1024 * 1024

# --- Language and time: Chinese first.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "fulian" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_USER_TIME_ZONES = ["Asia/Shanghai"]

# --- Static and media files (all assets self-hosted: deployments run without internet).
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "fulian" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Wagtail
WAGTAIL_SITE_NAME = env_str("SITE_NAME", "铜陵市妇联")
WAGTAILADMIN_BASE_URL = env_str("BASE_URL", "http://127.0.0.1:8000")
# Intranet deployments have no internet, and an avatar request would tell a third party who works here.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "fulian.search.admin_backend"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "doc", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "xls", "zip", "ofd", "wps"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAIL_ENABLE_UPDATE_CHECK = False  # intranet deployments have no internet
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILADMIN_COMMENTS_ENABLED = True
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAILEMBEDS_FINDERS: list[dict[str, object]] = []  # no oEmbed calls to the internet

# --- Security. Production (DEBUG off) passes `manage.py check --deploy` with no warnings.
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS: list[str] = []
if not HTTPS and not DEBUG:
    # An intranet deployment without TLS is a conscious choice made with HTTPS=0;
    # the checks that only make sense over TLS are then silenced explicitly.
    SILENCED_SYSTEM_CHECKS = ["security.W004", "security.W008", "security.W012", "security.W016"]
if "sqlite" in DATABASES["default"]["ENGINE"]:
    # Covering indexes (INCLUDE) serve PostgreSQL's index-only scans; SQLite builds them without the
    # extra columns, which is all it needs.
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "models.W040"]

# --- Logging: request paths only, never query strings or bodies (they may carry personal data).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
