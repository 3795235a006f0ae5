"""Production settings: the base settings, hardened, refusing to start when something that
protects money or personal data is missing. `DJANGO_SETTINGS_MODULE=config.production`
(deploy/supervisor/moneybridge.conf); `python manage.py check --deploy` reports nothing.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from config.settings import *  # noqa: F403 - production is the base plus what follows
from config.settings import DATABASES, DEBUG, KYC_DOCUMENT_KEY, env

if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production")
if not os.environ.get("SECRET_KEY") or len(os.environ["SECRET_KEY"]) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set, 50 characters or more")
if not KYC_DOCUMENT_KEY:
    raise ImproperlyConfigured("KYC_DOCUMENT_KEY must be set: identity documents are encrypted")
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured("production runs on PostgreSQL (DATABASE_URL or DB_NAME)")

# Behind nginx, which terminates TLS and says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600  # a working day of console use
USE_X_FORWARDED_HOST = False
STAFF_OTP_REQUIRED = True  # whatever the environment says
SANDBOX_PROVIDERS = env.bool("SANDBOX_PROVIDERS", default=False)
