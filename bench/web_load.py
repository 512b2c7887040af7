"""Load benchmark of the web app: requests/s and p95 latency per endpoint, as ratios to /health.

Loads `manage.py demo --patients N` (default 10,000, over centers of about 1,000 patients) into the
database in DATABASE_URL (PostgreSQL; `make bench-web` starts a throwaway PostgreSQL 15 server), serves
the app with gunicorn (2 sync workers) on 127.0.0.1, and drives it from client threads on loopback.
Each phase sends a fixed number of requests (bounded in count and time) to one endpoint:

- `/health`: the baseline, no database work;
- the patient dashboard `/me/`, as different load-test patients;
- the worklist `/worklist/`, as the nurses of different centers (about 1,000 patients each);
- the readiness API `/api/v1/patients/{id}/readiness`, with a nurse's token, over that center's patients.

It prints requests/s and p50/p95 latency per endpoint and each one's ratio to /health measured in the
same run, and exits non-zero if any request failed.

    make bench-web
    scripts/with-postgres.sh uv run python bench/web_load.py --patients 10000 --threads 4
    scripts/with-postgres.sh uv run python bench/web_load.py --quick   # 2,000 patients, fewer requests
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "demo-password"
HOST = "127.0.0.1"


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


class Client:
    """One keep-alive connection with a session cookie (or a bearer token)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=120)
        self.cookies: dict[str, str] = {}
        self.token: str | None = None

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=120)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def login(self, username: str) -> None:
        status, page = self.request("GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise RuntimeError(f"login page answered {status}")
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.group(1).decode(), "username": username,
             "password": PASSWORD}
        ).encode()  # fmt: skip
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://{HOST}:{self.port}/login/",
        }
        status, _ = self.request("POST", "/login/", body, headers)
        if status != 302:
            raise RuntimeError(f"login as {username} answered {status}")

    def api_token(self, username: str) -> None:
        body = json.dumps({"username": username, "password": PASSWORD}).encode()
        status, data = self.request(
            "POST", "/api/v1/auth/token", body, {"Content-Type": "application/json"}
        )
        if status != 200:
            raise RuntimeError(f"token for {username} answered {status}: {data[:200]!r}")
        self.token = json.loads(data)["token"]


def run_phase(name: str, clients: list[Client], paths, total: int, limit_s: float) -> Result:
    """`total` requests spread over the clients' threads; stops early after `limit_s` seconds."""
    result = Result(name)
    lock = threading.Lock()
    counter = iter(range(total))
    deadline = time.monotonic() + limit_s

    def work(client: Client, k: int) -> None:
        while time.monotonic() < deadline:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            path = paths(k, i)
            start = time.perf_counter()
            try:
                status, _ = client.request("GET", path)
            except Exception as exc:  # a failed request is counted, not fatal
                status, exc_text = 0, str(exc)
            else:
                exc_text = ""
            elapsed = time.perf_counter() - start
            with lock:
                if status == 200:
                    result.latencies.append(elapsed)
                else:
                    result.errors.append(f"{path}: {status} {exc_text}")

    threads = [threading.Thread(target=work, args=(c, k)) for k, c in enumerate(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - began
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def manage(*args: str, env) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True)


def wait_for(port: int, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn stopped before it answered")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer within {seconds:.0f} s")


def patient_ids(client: Client, count: int) -> list[int]:
    """Up to `count` of the caller's patients that have an infusion planned (readiness answers
    422 for a patient with none, which is right but not what this phase measures)."""
    status, data = client.request("GET", "/api/v1/patients?limit=100")
    if status != 200:
        raise RuntimeError(f"patient list answered {status}")
    ids = []
    for item in json.loads(data)["items"]:
        if client.request("GET", f"/api/v1/patients/{item['id']}/readiness")[0] == 200:
            ids.append(item["id"])
        if len(ids) == count:
            break
    if not ids:
        raise RuntimeError("no patient with a planned infusion in the first page")
    return ids


def main() -> int:
    parser = argparse.ArgumentParser(description="Web load benchmark (loopback only).")
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=4, help="client threads per phase")
    parser.add_argument("--quick", action="store_true", help="2,000 patients, fewer requests")
    parser.add_argument("--allow-sqlite", action="store_true", help="run without DATABASE_URL")
    parser.add_argument("--limit", type=float, default=240, help="seconds per phase at most")
    args = parser.parse_args()
    if args.quick:
        args.patients = min(args.patients, 2_000)
    scale = 0.25 if args.quick else 1.0
    counts = {
        "health": int(2000 * scale),
        "dashboard": int(400 * scale),
        "readiness": int(400 * scale),
        "worklist": max(8, int(40 * scale)),
    }
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") and not args.allow_sqlite:
        raise SystemExit("DATABASE_URL must point to PostgreSQL (use scripts/with-postgres.sh)")

    data_dir = tempfile.mkdtemp(prefix="msinfusion-bench-")
    env = {
        **os.environ,
        "MSINFUSION_DATA_DIR": data_dir,
        "DJANGO_SETTINGS_MODULE": "msinfusion.web.settings",
        "MSINFUSION_LOG_LEVEL": "ERROR",
        # one key for both workers: a session signed by one must be readable by the other
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
    }
    print(f"database: {url or 'SQLite in ' + data_dir}")
    began = time.perf_counter()
    manage("migrate", "-v0", env=env)
    manage("demo", "--reset", "--patients", str(args.patients), env=env)
    print(f"loaded {args.patients:,} load-test patients in {time.perf_counter() - began:.0f} s")

    port = free_port()
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "msinfusion.web.wsgi", "--workers", "2",
         "--bind", f"{HOST}:{port}", "--timeout", "300", "--log-level", "warning"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    try:
        wait_for(port, gunicorn)
        results = measure(port, args, counts)
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=60)
    report(results, args)
    return 1 if any(r.errors for r in results) else 0


def measure(port: int, args, counts) -> list[Result]:
    n = args.threads
    centers = max(1, -(-args.patients // 1000))
    # staff of centers 1..n (the Lakeside demo center, 00, also holds the 84 demo patients)
    nurses = ["demo-nurse"] + [f"load-nurse-{c:02d}" for c in range(1, centers)]
    health = [Client(port) for _ in range(n)]
    patients = [Client(port) for _ in range(n)]
    for k, c in enumerate(patients):
        c.login(f"load-patient-{k * 97 + 1:05d}")
    staff = [Client(port) for _ in range(n)]
    for k, c in enumerate(staff):
        c.login(nurses[(k + 1) % len(nurses)])
    api = [Client(port) for _ in range(n)]
    ids: list[list[int]] = []
    for k, c in enumerate(api):
        c.api_token(nurses[(k + 1) % len(nurses)])
        ids.append(patient_ids(c, 40))

    def readiness(k: int, i: int) -> str:
        return f"/api/v1/patients/{ids[k][i % len(ids[k])]}/readiness"

    phases = [
        ("health", health, lambda k, i: "/health"),
        ("dashboard", patients, lambda k, i: "/me/"),
        ("worklist", staff, lambda k, i: "/worklist/"),
        ("readiness", api, readiness),
    ]
    for _name, clients, paths in phases:  # warm-up: imports, catalog, connections
        run_phase("warm-up", clients, paths, len(clients), args.limit)
    results = []
    for name, clients, paths in phases:
        result = run_phase(name, clients, paths, counts[name], args.limit)
        print(f"  {name}: {len(result.latencies)} ok, {len(result.errors)} failed", flush=True)
        results.append(result)
    # health once more at the end, so the baseline brackets the run
    results.append(run_phase("health (end)", health, lambda k, i: "/health", counts["health"], 60))
    return results


def report(results: list[Result], args) -> None:
    # the baseline: /health measured before and after the other endpoints, taken together
    base = Result("health", results[0].latencies + results[-1].latencies)
    base.seconds = results[0].seconds + results[-1].seconds
    lines = [
        "",
        f"web load: {args.patients:,} patients, gunicorn 2 workers, {args.threads} client threads",
        "ratios are to /health before and after, taken together",
        f"{'endpoint':<14}{'ok':>6}{'fail':>6}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'p95/health':>12}{'req/s ratio':>13}",
    ]
    for r in results:
        p95_ratio = r.pct(0.95) / base.pct(0.95) if base.latencies else float("nan")
        rps_ratio = r.rps / base.rps if base.rps else float("nan")
        lines.append(
            f"{r.name:<14}{len(r.latencies):>6}{len(r.errors):>6}{r.rps:>9.1f}"
            f"{r.pct(0.5) * 1000:>9.1f}{r.pct(0.95) * 1000:>9.1f}{p95_ratio:>12.1f}{rps_ratio:>13.3f}"
        )
    print("\n".join(lines))
    for r in results:
        for error in r.errors[:5]:
            print(f"  failed {r.name}: {error}")
    if base.latencies:
        print(f"health baseline: {base.rps:.1f} req/s, p95 {base.pct(0.95) * 1000:.1f} ms")


if __name__ == "__main__":
    sys.exit(main())
