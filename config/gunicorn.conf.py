"""gunicorn settings for `make serve` and for production (docs/deploy.md).

Every value can be changed through the environment without editing this file.
"""

import multiprocessing
import os

wsgi_app = "config.wsgi:application"

# Loopback by default: the reverse proxy in front is what faces the internet.
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"

# The usual 2 x CPUs + 1 sync workers; pages are short database reads, so processes beat threads here.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))

# A request still running after this many seconds is killed and its worker replaced. The database
# gives up sooner (DB_STATEMENT_TIMEOUT_MS, DB_CONNECT_TIMEOUT), so this only catches the unexpected.
# Exports stream for longer than this on a large archive: they report progress (post_worker_init).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))

# Recycle workers now and then, so a slow leak in any library never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10

# Logs go to stdout and stderr, for systemd's journal or the container runtime to keep.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'

# Only the local proxy may say which scheme the visitor used.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Heartbeat files in memory, so a slow disk cannot make healthy workers look dead.
SHARED_MEMORY = "/dev/shm"  # noqa: S108 - gunicorn's own advice for its heartbeat files
worker_tmp_dir = SHARED_MEMORY if os.path.isdir(SHARED_MEMORY) else None


def post_worker_init(worker):
    """Let streamed responses tell the master they are alive (config/heartbeat.py)."""
    from config import heartbeat

    heartbeat.install(worker.notify)
