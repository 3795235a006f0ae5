"""Settings, all from the environment (see .env.example for every variable).

With no database settings the project runs on an embedded SQLite file (the demo);
production and the test suite use PostgreSQL through DATABASE_URL or DB_*.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG and env.bool("REQUIRE_SECRET_KEY", default=False):
        raise environ.ImproperlyConfigured("SECRET_KEY must be set in production")
    SECRET_KEY = "insecure-demo-key-change-me"  # noqa: S105 - demo and tests only
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "unfold",
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "unfold.contrib.import_export",
    "unfold.contrib.simple_history",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "import_export",
    "django_q",
    "ninja",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "payments",
    "accounts",
    "providers",
    "compliance",
    "reconciliation",
    "exports",
    "backoffice",
]

MIDDLEWARE = [
    "config.request_id.RequestIdMiddleware",
    "config.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "backoffice.staff_auth.StaffLoginThrottleMiddleware",
    "backoffice.staff_auth.StaffSecondFactorMiddleware",
    "backoffice.staff_auth.StaffLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]


# --- Database -------------------------------------------------------------------------------
def _database() -> dict:
    if env.str("DATABASE_URL", default=""):
        db = env.db("DATABASE_URL")
    elif env.str("DB_NAME", default=""):
        db = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": env.str("DB_NAME"),
            "USER": env.str("DB_USER", default="postgres"),
            "PASSWORD": env.str("DB_PASSWORD", default=""),
            "HOST": env.str("DB_HOST", default="127.0.0.1"),
            "PORT": env.str("DB_PORT", default="5432"),
        }
    else:
        # Embedded demo database. WAL lets the web server read while the cluster writes;
        # IMMEDIATE transactions plus a busy timeout queue writers instead of failing with
        # "database is locked".
        path = env.str("SQLITE_PATH", default=str(BASE_DIR / "var" / "demo.sqlite3"))
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        db = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    if db["ENGINE"].endswith("postgresql"):
        db.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
        db["CONN_HEALTH_CHECKS"] = True
    db.setdefault("TEST", {})
    return db


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # Shared by every process (throttling counts, provider tokens); the table is created by
    # a migration (accounts 0002).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
        }
    }

# --- Auth, i18n, static ---------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # staff passwords set before Argon2
]
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Paris")  # display zone; storage is UTC
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
# Identity documents will live here; never serve this path publicly (see README).
PRIVATE_MEDIA_ROOT = env.str("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private"))

# --- Jobs (django-q2, ORM broker on the project database) -----------------------------------
# The broker uses the same alias as the business tables, so a task enqueued inside a
# transaction commits or rolls back with it (a built-in outbox). timeout < retry so a slow
# task is never handed to a second worker while the first still runs; every task is
# idempotent anyway (django-q2 delivers at least once).
Q_CLUSTER = {
    "name": "moneybridge",
    "orm": "default",
    "workers": env.int("Q_WORKERS", default=2),
    "timeout": env.int("Q_TIMEOUT", default=120),
    "retry": env.int("Q_RETRY", default=600),
    "max_attempts": 1,
    "ack_failures": True,
    "catch_up": False,
    # 0: django-q2 keeps every result and prunes nothing itself (its pruning locks and reads
    # every kept result after each job, which halved the clusters' throughput);
    # payments.jobs.job_results_purge deletes those older than JOB_RESULTS_KEEP_DAYS.
    "save_limit": env.int("Q_SAVE_LIMIT", default=0),
    "bulk": 1,
    "poll": env.float("Q_POLL", default=1.0),
    "recycle": 500,
    "max_rss": 300_000,
    "label": "Jobs",
}

JOB_RESULTS_KEEP_DAYS = env.int("JOB_RESULTS_KEEP_DAYS", default=7)

# --- Senders' API -----------------------------------------------------------------------------
API_ACCESS_TOKEN_SECONDS = env.int("API_ACCESS_TOKEN_SECONDS", default=15 * 60)
API_REFRESH_TOKEN_DAYS = env.int("API_REFRESH_TOKEN_DAYS", default=30)
# Per client IP on register, sign-in and refresh; per sender on everything else.
API_THROTTLE_AUTH = env.str("API_THROTTLE_AUTH", default="10/m")
API_THROTTLE_USER = env.str("API_THROTTLE_USER", default="120/m")
NINJA_PAGINATION_MAX_LIMIT = 100
NINJA_NUM_PROXIES = env.int("NINJA_NUM_PROXIES", default=0)
# Identity documents: largest accepted upload, and the key that encrypts them at rest.
KYC_DOCUMENT_MAX_BYTES = env.int("KYC_DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
# A screening score at or above this (0..1) is a hit that holds the transfer for review.
SCREENING_THRESHOLD = env.float("SCREENING_THRESHOLD", default=0.85)
# What a confirmed sanctions match does to the party's held transfers: "freeze" (asset freeze:
# the funds stay held and are reported) or "return" (refund the sender).
SANCTIONS_TRUE_MATCH_POLICY = env.str("SANCTIONS_TRUE_MATCH_POLICY", default="freeze")
# Transaction monitoring: the alerts' scores on a transfer that hold it for an analyst.
MONITORING_HOLD_SCORE = env.int("MONITORING_HOLD_SCORE", default=60)
# The console shows history, never offers to restore an old version (a transfer's or a
# case's past state is not something to write back).
SIMPLE_HISTORY_REVERT_DISABLED = True
# Staff sign in with a TOTP second factor; only the demo (embedded SQLite) goes without.
STAFF_OTP_REQUIRED = env.bool(
    "STAFF_OTP_REQUIRED", default=not DATABASES["default"]["ENGINE"].endswith("sqlite3")
)
OTP_TOTP_ISSUER = "MoneyBridge"
# Wrong staff passwords allowed per name and address before the sign-in refuses for a while.
STAFF_LOGIN_MAX_FAILURES = env.int("STAFF_LOGIN_MAX_FAILURES", default=5)
STAFF_LOGIN_LOCK_SECONDS = env.int("STAFF_LOGIN_LOCK_SECONDS", default=15 * 60)
# The reporting entity named in suspicious activity reports.
INSTITUTION_NAME = env.str("INSTITUTION_NAME", default="MoneyBridge SAS")
# AML records (identity, transactions) are kept this long after a relationship ends.
AML_RETENTION_YEARS = env.int("AML_RETENTION_YEARS", default=5)
# A Fernet key (Fernet.generate_key()); empty: derived from SECRET_KEY (demo and tests only).
KYC_DOCUMENT_KEY = env.str("KYC_DOCUMENT_KEY", default="")

# --- Money rules ------------------------------------------------------------------------------
QUOTE_TTL_SECONDS = env.int("QUOTE_TTL_SECONDS", default=15 * 60)
FUNDING_WINDOW_HOURS = env.int("FUNDING_WINDOW_HOURS", default=72)
# How long after Stripe reports a payment succeeded its money counts as final, per funding
# method. A bank transfer cannot be pulled back; a SEPA Direct Debit can, without a reason, for
# 8 weeks (56 days, the default). Shorter means paying out on money that may still leave: the
# disputed amount is then booked as our loss.
FUNDS_FINAL_AFTER_HOURS = {
    "bank_transfer": env.int("BANK_TRANSFER_FINAL_AFTER_HOURS", default=0),
    "sepa_debit": env.int("SEPA_DEBIT_FINAL_AFTER_HOURS", default=56 * 24),
}
# Stripe's ceiling for one SEPA Direct Debit payment.
SEPA_DEBIT_MAX_MINOR = env.int("SEPA_DEBIT_MAX_MINOR", default=1_000_000)
PAYOUT_POLL_BASE_SECONDS = env.int("PAYOUT_POLL_BASE_SECONDS", default=30)
PAYOUT_POLL_MAX_SECONDS = env.int("PAYOUT_POLL_MAX_SECONDS", default=3600)
PAYOUT_STALE_SENDING_SECONDS = env.int("PAYOUT_STALE_SENDING_SECONDS", default=300)
PAYOUT_NOT_FOUND_GRACE_SECONDS = env.int("PAYOUT_NOT_FOUND_GRACE_SECONDS", default=900)
PAYOUT_RETRY_BACKOFF_SECONDS = env.int("PAYOUT_RETRY_BACKOFF_SECONDS", default=60)
# A provider's reported balance older than this is not used for routing.
FLOAT_STALE_MINUTES = env.int("FLOAT_STALE_MINUTES", default=60)
# django-import-export: importing needs the model's "add" permission (finance's statements),
# exports escape spreadsheet formulas, and uploads wait between preview and confirm in the
# cache (shared by every web server) rather than one server's temporary folder.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"
# Reconciliation: a statement line and our record match if their dates are this close.
RECON_DATE_WINDOW_DAYS = env.int("RECON_DATE_WINDOW_DAYS", default=3)
# How long a transfer may sit in a status before the console calls it stuck.
STUCK_AFTER_MINUTES = {"funded": 30, "payout_pending": 15, "payout_submitted": 120}
# After a definite failure, try the next provider able to pay the same number automatically.
PAYOUT_FAILOVER = env.bool("PAYOUT_FAILOVER", default=True)
# Until the real adapters land every payout provider code is served by the sandbox.
SANDBOX_PROVIDERS = env.bool("SANDBOX_PROVIDERS", default=True)
# The developer sandbox helpers (POST /api/v1/sandbox/…, manage.py sandbox_fund). Never on
# against live Stripe whatever this says.
SANDBOX_API = env.bool("SANDBOX_API", default=True)

# --- Providers (credentials used by the real adapters) ---------------------------------------
WAVE_API_KEY = env.str("WAVE_API_KEY", default="wave_sn_sandbox_key")
WAVE_API_SECRET = env.str("WAVE_API_SECRET", default="")
WAVE_BASE_URL = env.str("WAVE_BASE_URL", default="http://127.0.0.1:8101")
# One key per payout country's business wallet, e.g. "SN=wave_sn_prod_…,CI=wave_ci_prod_…";
# WAVE_API_KEY serves any country not listed.
WAVE_API_KEYS = env.dict("WAVE_API_KEYS", default={})
# Which payout providers go through their HTTP adapter ("http") or the in-database sandbox.
PAYOUT_ADAPTERS = env.dict(
    "PAYOUT_ADAPTERS", default={"wave": "http", "mtn_momo": "http", "orange_money": "http"}
)
SANDBOX_WAVE_PORT = env.int("SANDBOX_WAVE_PORT", default=8101)
WAVE_TIMEOUT_SECONDS = env.float("WAVE_TIMEOUT_SECONDS", default=15.0)
# MTN MoMo Disbursement: API user and key, the product's subscription key, and the market
# (X-Target-Environment) per payout country. Production host: https://proxy.momoapi.mtn.com
MTN_BASE_URL = env.str("MTN_BASE_URL", default="http://127.0.0.1:8103")
MTN_API_USER = env.str("MTN_API_USER", default="3f2c6b1e-sandbox-user")
MTN_API_KEY = env.str("MTN_API_KEY", default="mtn-sandbox-api-key")
MTN_SUBSCRIPTION_KEY = env.str("MTN_SUBSCRIPTION_KEY", default="mtn-sandbox-subscription-key")
MTN_TARGET_ENVIRONMENT = env.str("MTN_TARGET_ENVIRONMENT", default="sandbox")
MTN_TARGET_ENVIRONMENTS = env.dict("MTN_TARGET_ENVIRONMENTS", default={})
SANDBOX_MTN_PORT = env.int("SANDBOX_MTN_PORT", default=8103)
MTN_TIMEOUT_SECONDS = env.float("MTN_TIMEOUT_SECONDS", default=15.0)
# Orange Money cash-in (Sonatel eWallet API). Production: https://api.orange-sonatel.com
ORANGE_BASE_URL = env.str("ORANGE_BASE_URL", default="http://127.0.0.1:8104")
ORANGE_CLIENT_ID = env.str("ORANGE_CLIENT_ID", default="orange-sandbox-client")
ORANGE_CLIENT_SECRET = env.str("ORANGE_CLIENT_SECRET", default="orange-sandbox-secret")
ORANGE_RETAILER_MSISDN = env.str("ORANGE_RETAILER_MSISDN", default="771000000")
ORANGE_RETAILER_PIN = env.str("ORANGE_RETAILER_PIN", default="2468")
ORANGE_LOCAL_MSISDN = env.bool("ORANGE_LOCAL_MSISDN", default=True)
ORANGE_PIN_PAUSE_SECONDS = env.int("ORANGE_PIN_PAUSE_SECONDS", default=24 * 3600)
SANDBOX_ORANGE_PORT = env.int("SANDBOX_ORANGE_PORT", default=8104)
ORANGE_TIMEOUT_SECONDS = env.float("ORANGE_TIMEOUT_SECONDS", default=15.0)
SANDBOX_STATE_DIR = env.str("SANDBOX_STATE_DIR", default=str(BASE_DIR / "var" / "sandboxes"))
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="sk_test_sandbox")
# Empty in production (the SDK's own api.stripe.com); the loopback simulator by default.
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="http://127.0.0.1:8102")
SANDBOX_STRIPE_PORT = env.int("SANDBOX_STRIPE_PORT", default=8102)
# Seconds the Stripe simulator takes to collect a direct debit (Stripe: about 5 business days;
# its "after 3 minutes" test IBANs take three times this).
SANDBOX_STRIPE_DEBIT_SECONDS = env.float("SANDBOX_STRIPE_DEBIT_SECONDS", default=5.0)
# Where the Stripe simulator delivers its signed webhooks (our own intake).
SANDBOX_WEBHOOK_BASE = env.str("SANDBOX_WEBHOOK_BASE", default="http://127.0.0.1:8000")
# FX rate sources, tried in this order for each floating currency; defaults are the sandbox.
FX_SOURCES = env.list("FX_SOURCES", default=["exchangerate_api", "ecb"])
FX_API_BASE_URL = env.str("FX_API_BASE_URL", default="http://127.0.0.1:8190")
FX_API_KEY = env.str("FX_API_KEY", default="sandbox-key")
FX_ECB_URL = env.str(
    "FX_ECB_URL", default="http://127.0.0.1:8190/stats/eurofxref/eurofxref-daily.xml"
)
# A new rate that moves more than this from the last one is refused as a feed error.
FX_MAX_JUMP_PERCENT = env.int("FX_MAX_JUMP_PERCENT", default=10)
SANDBOX_FX_PORT = env.int("SANDBOX_FX_PORT", default=8190)
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="whsec_sandbox")
# Current and previous Wave webhook signing secrets (both accepted during a rotation).
WAVE_WEBHOOK_SECRETS = env.list("WAVE_WEBHOOK_SECRETS", default=["wave_sn_WHS_sandbox"])
# A secret we put in the callback URLs we give MTN and Orange (they sign nothing); empty: none.
PROVIDER_CALLBACK_TOKEN = env.str("PROVIDER_CALLBACK_TOKEN", default="")
# Public base URL of our webhook endpoints, for the callback URLs we give MTN (X-Callback-Url)
# and register with Orange; empty: no callbacks asked (status polling alone still settles).
PROVIDER_CALLBACK_BASE = env.str("PROVIDER_CALLBACK_BASE", default=SANDBOX_WEBHOOK_BASE)
# How long the MTN and Orange simulators take to settle a pending payout by themselves.
SANDBOX_SETTLE_SECONDS = env.float("SANDBOX_SETTLE_SECONDS", default=3.0)

# --- Console ---------------------------------------------------------------------------------
from config.logging import logging_config  # noqa: E402
from config.unfold import UNFOLD  # noqa: E402, F401 - read by django-unfold as settings.UNFOLD

# /health/ calls the job queue late past this lag, and FX rates stale past this age.
HEALTH_QUEUE_LAG_SECONDS = env.int("HEALTH_QUEUE_LAG_SECONDS", default=120)
HEALTH_RATES_MAX_AGE_SECONDS = env.int("HEALTH_RATES_MAX_AGE_SECONDS", default=2 * 3600)
# /metrics asks for this bearer token when it is set (nginx also limits who may reach it).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# Content security policy (django-csp). The console's Alpine.js evaluates expressions and its
# templates carry inline scripts and styles: 'unsafe-eval' and 'unsafe-inline' for those only;
# nothing may load from another origin, nobody may frame us, forms post only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-inline'", "'unsafe-eval'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LOGGING = logging_config(
    json_lines=env.bool("LOG_JSON", default=False), level=env.str("LOG_LEVEL", default="INFO")
)

# Errors to Sentry when SENTRY_DSN is set (no personal data sent: see config/sentry.py).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from config.sentry import init_sentry

    init_sentry(SENTRY_DSN, environment=env.str("SENTRY_ENVIRONMENT", default="production"))
