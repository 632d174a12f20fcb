"""`guanxi serve`: a real web server and job worker that answer, and stop cleanly."""

import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.core.management import CommandError, call_command
from django.db import connection


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)  # noqa: S603, S607
    return [int(p) for p in out.stdout.split()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.django_db
def test_serve_refuses_a_port_that_is_in_use():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(CommandError, match="already in use"):
            call_command("serve", port=port, stdout=io.StringIO())


@pytest.mark.slow
def test_serve_answers_with_pages_and_static_files_and_stops_on_ctrl_c(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG")}
    env.update(GUANXI_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="guanxi.settings")
    guanxi = [sys.executable, "-m", "guanxi.cli"]
    subprocess.run([*guanxi, "migrate", "-v0"], env=env, check=True, timeout=300)  # noqa: S603
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603
        [*guanxi, "serve", "--port", str(port), "--workers", "1", "--threads", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = server.stdout.readline()
            lines.append(line)
            if f"http://localhost:{port}/" in line or not line:  # "running at", any language
                break
        assert f"http://localhost:{port}/" in "".join(lines), "".join(lines)

        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{base}/login/", timeout=10) as response:  # noqa: S310
            assert response.status == 200
            html = response.read().decode()
            assert "Secure" not in response.headers.get("Set-Cookie", "")
        stylesheet = re.search(r'href="(/static/[^"]+\.css)"', html).group(1)
        with urllib.request.urlopen(base + stylesheet, timeout=10) as response:  # noqa: S310
            assert response.status == 200

        children = _children(server.pid)
        assert len(children) == 2  # the web server and the job worker
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=40) == 0
        assert not any(_alive(pid) for pid in children)
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_the_web_app_loads_with_its_objects_frozen_and_the_collector_on(tmp_path):
    # A fresh process, as gunicorn's master imports the app before it forks the workers.
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG")}
    env.update(GUANXI_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="guanxi.settings")
    probe = (
        "import gc, guanxi.wsgi; "
        "print(gc.isenabled(), gc.get_freeze_count(), len(gc.get_objects()))"
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    enabled, frozen, tracked = out[0], int(out[1]), int(out[2])
    assert enabled == "True"
    # The pinyin dictionaries alone are hundreds of thousands; a collection walks only the rest.
    assert frozen > 100_000
    assert tracked < 1_000


def _show_setting(code: str, name: str = "max_parallel_workers_per_gather") -> str:
    """PostgreSQL's setting ``name`` as a fresh process running ``code`` (which sets Django up)
    sees it on this test run's PostgreSQL database."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DEBUG")}
    env.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="guanxi.settings")
    env.pop("GUANXI_PROCESS", None)
    probe = (
        f"{code}; from django.db import connection; cursor = connection.cursor(); "
        f"cursor.execute('SHOW {name}'); print(cursor.fetchone()[0])"
    )
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def _own(name: str) -> str:
    with connection.cursor() as cursor:  # this process is no web server: the server's own
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_web_requests_start_no_parallel_workers_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    assert _show_setting("import guanxi.wsgi") == "0"


@pytest.mark.django_db
def test_commands_keep_postgresqls_own_parallel_workers():
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    own = _own("max_parallel_workers_per_gather")
    assert _show_setting("import django; django.setup()") == own


@pytest.mark.django_db
def test_web_requests_compile_no_queries_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    assert _show_setting("import guanxi.wsgi", "jit") == "off"


@pytest.mark.django_db
def test_commands_keep_postgresqls_own_jit():
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    assert _show_setting("import django; django.setup()", "jit") == _own("jit")
