"""gunicorn for MoneyBridge, behind nginx on the same host (see deploy/nginx/moneybridge.conf).

Threaded workers, one per core, four threads each: the best of the settings measured on two
cores (BENCHMARKS.md), and requests are short (money moves happen in jobs, not in requests).
Each thread holds one database connection, so PostgreSQL's connection count stays
predictable: web servers x workers x threads + clusters x (workers + 2) < max_connections.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread"
timeout = 30  # a request that takes longer is a bug: kill it rather than queue behind it
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (slow leaks in third-party code), not all at once.
max_requests = 2000
max_requests_jitter = 200
# Only nginx on this host may say which scheme and client a request came from.
forwarded_allow_ips = "127.0.0.1"
proxy_allow_ips = "127.0.0.1"
# Logs go to stdout/stderr as JSON lines (config.logging); supervisor writes them to files.
accesslog = "-"
access_log_format = (
    '{"ts":"%(t)s","request_id":"%({x-request-id}i)s","method":"%(m)s","path":"%(U)s",'
    '"status":%(s)s,"bytes":"%(B)s","ms":%(M)s,"remote":"%({x-real-ip}i)s"}'
)
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
limit_request_line = 8190
limit_request_fields = 100
