"""Gunicorn settings for production: `gunicorn -c gunicorn.conf.py crm.wsgi`.

Environment: PORT (default 8000), WEB_CONCURRENCY (default 2 x cores + 1, at most 8),
FORWARDED_ALLOW_IPS (default 127.0.0.1,::1: the addresses whose X-Forwarded-* headers
gunicorn trusts; "*" when only your proxy can reach gunicorn, as in docker-compose.yml).
"""

import os


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # respects CPU limits set with cpusets
    except AttributeError:
        return os.cpu_count() or 1


def _workers() -> int:
    raw = os.environ.get("WEB_CONCURRENCY", "").strip()
    if raw:
        return max(1, int(raw))
    return min(2 * _cores() + 1, 8)


bind = f"0.0.0.0:{os.environ.get('PORT', '').strip() or '8000'}"
workers = _workers()
timeout = 30
graceful_timeout = 30
accesslog = "-"  # stdout
errorlog = "-"  # stderr
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# The worker heartbeat file: tmpfs where there is one (containers), so it never waits on disk.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
