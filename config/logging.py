"""Logging: JSON lines (one object per line, with the request id) in production, readable
text in the demo and the tests; the same redaction either way."""


def logging_config(*, json_lines: bool, level: str) -> dict:
    formatter = (
        {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "ts", "levelname": "level", "name": "logger"},
        }
        if json_lines
        else {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "config.request_id.RequestIdFilter"},
            "redact": {"()": "config.log_redaction.RedactFilter"},
        },
        "formatters": {"default": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["request_id", "redact"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # httpx logs every URL at INFO, API keys in paths included: calls are recorded,
            # redacted, in ProviderCall instead.
            "httpx": {"level": "WARNING"},
            "httpcore": {"level": "WARNING"},
        },
    }
