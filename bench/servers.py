"""Private servers for benchmarks and fault drills: PostgreSQL, Redis, the app, nginx.

Everything listens on 127.0.0.1 on free ports, lives in a temp dir, waits with bounded loops
and is torn down by the context managers. The machine's shared PostgreSQL (5432) and Redis
(6379) are never stopped or flushed from here.
"""

from __future__ import annotations

import base64
import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout_s: float = 20.0, up: bool = True) -> None:
    """Wait until the port accepts (up) or refuses (not up) connections; raises TimeoutError."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(0.5)
            ok = s.connect_ex(("127.0.0.1", port)) == 0
        if ok == up:
            return
        time.sleep(0.05)
    raise TimeoutError(f"port {port} not {'up' if up else 'down'} after {timeout_s}s")


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def have_private_postgres() -> bool:
    """True when a PostgreSQL server binary is installed (initdb, pg_ctl)."""
    return _pg_bin() is not None


def have_redis_server() -> bool:
    """True when redis-server is installed."""
    return shutil.which("redis-server") is not None


def _as_postgres(cmd: list[str]) -> list[str]:
    """Run as the postgres OS user when we are root (PostgreSQL refuses to run as root)."""
    if os.geteuid() != 0:
        return cmd
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(cmd)]


@dataclass
class PrivatePostgres:
    """A throwaway PostgreSQL cluster: initdb, start, stop for a while, start again, remove."""

    root: Path
    port: int
    bin: Path

    @property
    def url(self) -> str:
        """The asyncpg URL of the cluster's postgres database."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        cmd = [str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), *args]
        subprocess.run(_as_postgres(cmd), check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        """Start the cluster and wait until it accepts connections."""
        opts = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._ctl("-w", "-t", "30", "-l", str(self.root / "log"), "-o", f"'{opts}'", "start")
        wait_port(self.port)

    def stop(self) -> None:
        """Stop the cluster at once (fast shutdown: clients are disconnected)."""
        self._ctl("-w", "-t", "30", "-m", "fast", "stop")


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A started private PostgreSQL cluster, removed afterwards."""
    pg_bin = _pg_bin()
    if pg_bin is None:
        raise RuntimeError("PostgreSQL server binaries are not installed")
    root = Path(tempfile.mkdtemp(prefix="contest-pg-"))
    os.chmod(root, 0o777)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    subprocess.run(_as_postgres([str(pg_bin / "initdb"), "-D", str(root / "data"), "-A", "trust",
                                 "-U", "postgres"]), check=True, capture_output=True, timeout=120)
    pg = PrivatePostgres(root, free_port(), pg_bin)
    pg.start()
    try:
        yield pg
    finally:
        with contextlib.suppress(Exception):
            pg.stop()
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class PrivateRedis:
    """A throwaway redis-server without persistence: a restart comes back empty."""

    port: int
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Its redis:// URL (db 0)."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start redis-server and wait for it."""
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port)

    def kill(self) -> None:
        """kill -9 the server (its data is gone: nothing is persisted)."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None
        wait_port(self.port, up=False)


@contextlib.contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    """A started private redis-server, killed afterwards."""
    r = PrivateRedis(free_port())
    r.start()
    try:
        yield r
    finally:
        r.kill()


def bench_env(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """The app's environment for a benchmark: production mode with fixed test keys, and the
    throttles on registration and login per IP raised (every simulated citizen comes from
    loopback); per-participant limits stay at their defaults unless extra overrides them."""
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": BENCH_SECRET,
        "CONTEST_DATA_KEYS": BENCH_DATA_KEY,
        "CONTEST_LOOKUP_KEY": BENCH_LOOKUP_KEY,
        "CONTEST_DEV": "",
        "CONTEST_LIMIT_IP_REGISTER": "1000000/3600",
        "CONTEST_LIMIT_IP_LOGIN": "1000000/3600",
        "CONTEST_POW_THRESHOLD": "1000000",
        "CONTEST_SWEEP_INTERVAL": "2",
    })
    env.update(extra)
    env.pop("WEB_CONCURRENCY", None)
    return env


BENCH_SECRET = "bench-secret-0123456789abcdef0123456789abcdef"
BENCH_DATA_KEY = base64.urlsafe_b64encode(b"bench-data-key-0123456789abcdef!").decode()
BENCH_LOOKUP_KEY = "bench-lookup-0123456789abcdef0123456789abcdef"


@dataclass
class AppServer:
    """`uvicorn --factory contest.app:factory` as a subprocess (a supervisor and N workers)."""

    port: int
    workers: int
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None
    log: Path = field(default_factory=lambda: Path(tempfile.mktemp(prefix="contest-app-",
                                                                    suffix=".log")))

    @property
    def base(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 60.0) -> None:
        """Start uvicorn and wait until /healthz answers; raises TimeoutError."""
        cmd = [str(VENV_BIN / "uvicorn"), "--factory", "contest.app:factory", "--host",
               "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers),
               "--no-access-log", "--backlog", "4096", "--timeout-keep-alive", "30",
               "--log-level", "warning"]
        if self.env.get("CONTEST_TRUSTED_PROXIES"):
            # uvicorn's own proxy-header rewriting would replace the peer before the app's
            # trusted-proxy walk sees it; the app does the walk itself.
            cmd.append("--no-proxy-headers")
        self.proc = subprocess.Popen(cmd, cwd=REPO, env=self.env, stdout=self.log.open("ab"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        wait_http(f"{self.base}/healthz", timeout_s)

    def worker_pids(self) -> list[int]:
        """Process ids of the uvicorn workers (children of the supervisor)."""
        if self.proc is None:
            return []
        if self.workers == 1:  # uvicorn serves in the one process, without a supervisor
            return [self.proc.pid]
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True)
        pids = [int(p) for p in out.stdout.split()]
        # multiprocessing's resource tracker is a child too; workers run the uvicorn server
        return [p for p in pids if "resource_tracker" not in _cmdline(p)]

    def stop(self) -> None:
        """Stop the supervisor and its workers (SIGTERM, then SIGKILL after 15 s)."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def wait_http(url: str, timeout_s: float = 60.0) -> None:
    """Wait until GET url answers 200; raises TimeoutError."""
    import httpx

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer 200 within {timeout_s}s")


@contextlib.contextmanager
def app_server(env: dict[str, str], workers: int = 2, port: int | None = None
               ) -> Iterator[AppServer]:
    """A started app server, stopped afterwards."""
    srv = AppServer(port or free_port(), workers, env)
    try:
        srv.start()
        yield srv
    finally:
        srv.stop()


NGINX_CONF = """
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 16384; }}
http {{
  access_log off;
  client_body_temp_path {root}/body;
  proxy_temp_path {root}/proxy;
  fastcgi_temp_path {root}/fastcgi;
  uwsgi_temp_path {root}/uwsgi;
  scgi_temp_path {root}/scgi;
  upstream contest {{
    {servers}
    keepalive 256;
  }}
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    location /api/v1/rounds/ {{
      # the leaderboard stream: no buffering, long reads
      proxy_pass http://contest;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_buffering off;
      proxy_read_timeout 1h;
    }}
    location / {{
      proxy_pass http://contest;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_next_upstream error timeout http_502;
    }}
  }}
}}
"""


@contextlib.contextmanager
def nginx(upstream_ports: list[int]) -> Iterator[int]:
    """nginx on 127.0.0.1:<free port> proxying to the app instances; yields its port."""
    exe = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(exe).exists():
        raise RuntimeError("nginx is not installed (apt-get install nginx)")
    root = Path(tempfile.mkdtemp(prefix="contest-nginx-"))
    port = free_port()
    servers = "\n    ".join(f"server 127.0.0.1:{p} max_fails=0;" for p in upstream_ports)
    conf = root / "nginx.conf"
    conf.write_text(NGINX_CONF.format(root=root, servers=servers, port=port))
    proc = subprocess.Popen([exe, "-c", str(conf), "-p", str(root), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=(root / "stderr").open("wb"))
    try:
        wait_port(port)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(root, ignore_errors=True)
