"""`guanxi serve`: the web server (gunicorn) and the job worker (Huey) together, until stopped.

Both run as child processes in their own session, so a Ctrl-C reaches only this command, which
then stops them in order: the web server first (finishing requests in flight), then the job
worker (finishing its current task). Whichever child dies, the other is stopped too.
"""

import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

STOP_TIMEOUT = 15  # seconds a child gets to finish before it is killed
READY_TIMEOUT = 60
#: One web process per core and one spare, one request at a time each (gunicorn's sync
#: workers): a Python thread holds the GIL while it renders, so the cores are used by
#: processes, and a request goes to whichever process is free (a threaded worker keeps its
#: clients' connections, and with several clients on one process the others idle). At
#: 1,000,000 customers with 8 clients on two cores: p95 112 ms at 113 requests/s, against 165
#: ms at 105 with 2 threads each and 421 ms at 40 with the former 2 processes x 4 threads; later,
#: three rounds of 2, 3 and 4 processes in turn: PostgreSQL p95 53-66 ms with 3 against 61-69
#: with 4, SQLite 38-41 against 41-48 (2 did a little better still, with no process spare for
#: a slow report; more processes only share the same cores and their caches:
#: benchmarks/results/load.md). --threads 2 or more runs threaded workers, which keep
#: connections alive.
DEFAULT_WORKERS = (os.cpu_count() or 1) + 1
DEFAULT_THREADS = 1
#: A sync worker busy for longer than this on one request is restarted (the slowest pages,
#: a report over a million rows, take a few seconds; imports and big exports run as jobs).
REQUEST_TIMEOUT = 120


class Command(BaseCommand):
    help = "Serve Guanxi: the web server and the background job worker, until Ctrl-C."
    requires_migrations_checks = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host",
            default=os.environ.get("HOST", "127.0.0.1"),
            help="Address to listen on (default 127.0.0.1; 0.0.0.0 for all).",
        )
        parser.add_argument(
            "--port",
            type=int,
            default=int(os.environ.get("PORT", "8000")),
            help="Port to listen on (default 8000).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=DEFAULT_WORKERS,
            help=f"Web worker processes (one per core and one spare: {DEFAULT_WORKERS}).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=DEFAULT_THREADS,
            help=f"Threads per web worker ({DEFAULT_THREADS}).",
        )
        parser.add_argument(
            "--no-jobs",
            action="store_true",
            help="Do not start the job worker (run `guanxi run_huey` elsewhere).",
        )
        parser.add_argument("--access-log", action="store_true", help="Print one line per request.")

    def handle(
        self,
        *args,
        host: str,
        port: int,
        workers: int,
        threads: int,
        no_jobs: bool,
        access_log: bool,
        **options,
    ) -> None:
        if not 0 < port < 65536:
            raise CommandError(_("--port %(port)s is not a port number.") % {"port": port})
        if workers < 1 or threads < 1:
            raise CommandError(_("--workers and --threads must be at least 1."))
        if _port_in_use(host, port):
            raise CommandError(
                _("Port %(port)s on %(host)s is already in use; choose another with --port.")
                % {"port": port, "host": host}
            )
        # The manifest storage (DEBUG off) serves only collected files.
        try:
            call_command("collectstatic", interactive=False, verbosity=0)
        except Exception as exc:  # a broken asset must stop the start with a readable message
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            raise CommandError(
                _("Collecting static files into %(folder)s failed: %(error)s")
                % {"folder": settings.STATIC_ROOT, "error": first_line}
            ) from exc

        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
            "GUANXI_DATA_DIR": str(settings.DATA_DIR),
            "PYTHONUNBUFFERED": "1",
        }
        web_cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "guanxi.wsgi:application",
            "--bind",
            f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--graceful-timeout",
            "10",
            "--timeout",
            str(REQUEST_TIMEOUT),
            "--no-control-socket",
            # Import the app once in the master, before the port opens: the address is printed
            # when the first page is fast, and the workers share the imported code's memory.
            "--preload",
        ]
        if access_log:
            web_cmd += ["--access-logfile", "-"]
        children: list[tuple[str, subprocess.Popen, int]] = []
        stopping = False

        def request_stop(signum, frame):
            nonlocal stopping
            stopping = True

        previous = {s: signal.signal(s, request_stop) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            # S603: fixed argument lists, no shell.
            web = subprocess.Popen(web_cmd, env=env, start_new_session=True)  # noqa: S603
            children.append((_("web server"), web, signal.SIGTERM))  # SIGTERM: graceful
            if not no_jobs:
                jobs = subprocess.Popen(  # noqa: S603
                    [sys.executable, "-m", "guanxi.cli", "run_huey", "--quiet"],
                    env=env,
                    start_new_session=True,
                )
                children.append((_("job worker"), jobs, signal.SIGINT))  # SIGINT: graceful for Huey
            self._announce(host, port, workers, threads, no_jobs, children, lambda: stopping)
            while not stopping:
                for name, proc, _sig in children:
                    if proc.poll() is not None:
                        raise CommandError(
                            _("The %(process)s stopped (exit code %(code)s).")
                            % {"process": name, "code": proc.returncode}
                        )
                time.sleep(0.2)
            self.stdout.write(_("Stopping…"))
        finally:
            _stop(children)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write(_("Stopped."))

    def _announce(self, host, port, workers, threads, no_jobs, children, stopping) -> None:
        """Print the address once the server answers (or give up if a child dies first)."""
        probe = "127.0.0.1" if host in ("0.0.0.0", "") else ("::1" if host == "::" else host)  # noqa: S104
        deadline = time.monotonic() + READY_TIMEOUT
        while not _port_in_use(probe, port):
            for name, proc, _sig in children:
                if proc.poll() is not None:
                    raise CommandError(
                        _("The %(process)s failed to start (exit code %(code)s).")
                        % {"process": name, "code": proc.returncode}
                    )
            if stopping() or time.monotonic() > deadline:
                return
            time.sleep(0.1)
        shown = "localhost" if probe in ("127.0.0.1", "::1") else host
        self.stdout.write(
            self.style.SUCCESS(
                _("Guanxi is running at %(url)s") % {"url": f"http://{shown}:{port}/"}
            )
        )
        web = (
            _("%(workers)s workers × %(threads)s threads")
            if threads > 1
            else _("%(workers)s workers")
        ) % {"workers": workers, "threads": threads}
        jobs = _("background jobs: off") if no_jobs else _("background jobs: on")
        self.stdout.write(
            "  "
            + _("web: %(web)s; %(jobs)s; data: %(data)s. Press Ctrl-C to stop.")
            % {"web": web, "jobs": jobs, "data": settings.DATA_DIR}
        )
        if host not in ("127.0.0.1", "localhost", "::1") and "*" not in settings.ALLOWED_HOSTS:
            self.stdout.write(
                "  "
                + _(
                    "Remember ALLOWED_HOSTS (now %(hosts)s) must name the host people type in "
                    "the browser."
                )
                % {"hosts": ",".join(settings.ALLOWED_HOSTS)}
            )


def _port_in_use(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _stop(children: list[tuple[str, subprocess.Popen, int]]) -> None:
    for _name, proc, sig in children:
        if proc.poll() is None:
            proc.send_signal(sig)
    deadline = time.monotonic() + STOP_TIMEOUT
    for _name, proc, _sig in children:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
