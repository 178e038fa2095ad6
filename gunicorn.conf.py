# gunicorn settings for serving the portal behind a reverse proxy:
#     gunicorn --paste production.ini -c gunicorn.conf.py
# (gunicorn also reads ./gunicorn.conf.py by itself when started in this folder).
# A configuration error (a setting, a broken plugin) stops gunicorn with one line and exit
# status 2 before any worker starts: on_starting below (portal/startup.py).
# The proxy in front terminates TLS and enforces the body size (e.g. nginx
# client_max_body_size 256k): gunicorn has no body limit of its own, and the
# portal answers 413 from the declared Content-Length before reading a body.

bind = "127.0.0.1:6543"
workers = 2
threads = 4
# A slow or stalled client is dropped instead of holding a worker.
timeout = 30
graceful_timeout = 20
keepalive = 5
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# Access log lines with every private link masked (portal.serving.AccessLog).
logger_class = "portal.serving.AccessLog"
accesslog = "-"
# X-Forwarded-For and -Proto are trusted from the local proxy only.
forwarded_allow_ips = "127.0.0.1"


def on_starting(server):
    # The master checks the configuration once (it builds the portal and drops it).
    from portal.startup import check_in_gunicorn_master

    check_in_gunicorn_master(server.app)
