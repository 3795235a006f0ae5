"""Log lines never carry a secret or a whole identity number: bearer tokens, API keys, card
and bank account numbers, phone numbers and e-mail addresses are masked in the message and
its arguments before any handler writes them."""

import logging
import re

PATTERNS = [
    # Authorization headers and tokens
    (re.compile(r"(?i)(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 [redacted]"),
    (re.compile(r"(?i)\b(sk|rk|pk|whsec)_(live|test)?_?[A-Za-z0-9]{6,}"), "[redacted-key]"),
    (re.compile(r"(?i)\b(wave_[a-z]{2}_(prod|sandbox)_)[A-Za-z0-9_-]+"), r"\1[redacted]"),
    (re.compile(r'(?i)("?(password|secret|api_key|token|pin)"?\s*[:=]\s*"?)[^"\s,&]+'),
     r"\1[redacted]"),
    # IBANs (two letters, two digits, 11 to 30 more), keeping the last four
    (re.compile(r"\b([A-Z]{2}\d{2})[A-Z0-9 ]{7,26}([A-Z0-9]{4})\b"), r"\1…\2"),
    # E.164 phone numbers, keeping the country code and the last two digits
    (re.compile(r"\+(\d{3})\d{4,10}(\d{2})\b"), r"+\1…\2"),
    # e-mail addresses, keeping the domain
    (re.compile(r"\b[A-Za-z0-9._%+-]+@([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b"), r"…@\1"),
]  # fmt: skip


def redact(text: str) -> str:
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        record.msg, record.args = redact(message), None
        return True
