"""`msinfusion serve`: migrate, optionally load the demo, and serve the web app.

`--demo` runs on a fresh SQLite database in its own folder outside the source tree
(`$MSINFUSION_DATA_DIR/demo`, else `~/.local/share/msinfusion/demo`), wiped at every start, so the
demo always begins from the same story around today. Without `--demo` the configured database is
used (`DATABASE_URL`, else SQLite in the data folder). The server is Django's threaded development
server without autoreload: fine for a demo or one clinic desk, while production runs
`gunicorn msinfusion.web.wsgi` behind a TLS proxy (README, "Web app").
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
from pathlib import Path

from msinfusion.web import demo_scenarios

DEMO_MARKER = ".msinfusion-demo"
ROLE_VIEWS = {
    "patient": "their own dashboard only",
    "nurse": "the whole center's worklist and patients",
    "neurologist": "their own patients' worklist and records",
    "center admin": "staff, chairs, opening hours, audit log",
}


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _stop_on_signals() -> None:
    """Ctrl-C and SIGTERM stop the server cleanly, even when started from a script (where a
    background job inherits an ignored SIGINT)."""
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)


class ServeError(Exception):
    """A problem the person starting the server can fix (port in use, a folder that is not ours)."""


def demo_dir() -> Path:
    base = os.environ.get("MSINFUSION_DATA_DIR")
    return (Path(base) if base else Path.home() / ".local/share/msinfusion") / "demo"


def fresh_demo_dir(path: Path) -> Path:
    """Empty the demo folder; refuse to wipe a folder that an earlier demo did not create."""
    if path.exists() and any(path.iterdir()):
        if not (path / DEMO_MARKER).exists():
            raise ServeError(f"{path} is not empty and was not made by `msinfusion serve --demo`")
        shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)
    (path / DEMO_MARKER).write_text("made by msinfusion serve --demo; wiped at every start\n")
    return path


def prepare_environment(demo: bool, host: str) -> Path | None:
    """Environment for Django before it is set up: the demo's data folder and allowed hosts."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "msinfusion.web.settings")
    folder = None
    if demo:
        folder = fresh_demo_dir(demo_dir())
        os.environ["MSINFUSION_DATA_DIR"] = str(folder)
        os.environ.pop("DATABASE_URL", None)  # the demo always runs on its own SQLite file
    hosts = os.environ.get("DJANGO_ALLOWED_HOSTS") or "localhost,127.0.0.1,[::1]"
    wanted = f"[{host}]" if ":" in host and not host.startswith("[") else host
    if host not in ("0.0.0.0", "::") and wanted not in hosts.split(","):
        os.environ["DJANGO_ALLOWED_HOSTS"] = f"{hosts},{wanted}"
    return folder


def banner(url: str, demo: bool, database: str) -> str:
    lines = ["", f"msinfusion web app: {url}", f"database: {database}"]
    if demo:
        lines += ["", f"Demo logins (password: {demo_scenarios.PASSWORD}):"]
        width = max(len(u) for u, _, _ in demo_scenarios.LOGINS)
        for username, role, sees in demo_scenarios.LOGINS:
            lines.append(f"  {username:<{width}}  {role}: {sees}")
    lines += [
        "",
        "Development server (no autoreload); for production use gunicorn msinfusion.web.wsgi.",
        "Press Ctrl-C to stop.",
        "",
    ]
    return "\n".join(lines)


def serve(*, demo: bool, host: str, port: int, out=sys.stdout) -> int:
    """Migrate, load the demo if asked, print where to go, then serve until Ctrl-C."""
    prepare_environment(demo, host)
    import django
    from django.conf import settings
    from django.core.management import call_command
    from django.core.servers.basehttp import WSGIServer, run
    from django.core.wsgi import get_wsgi_application

    django.setup()
    db = settings.DATABASES["default"]
    database = db["NAME"] if db["ENGINE"].endswith("sqlite3") else f"{db['ENGINE']} {db['NAME']}"
    print("Migrating the database...", file=out, flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    if demo:
        print("Loading the demo center, staff and patients...", file=out, flush=True)
        call_command("demo", stdout=out)
    if not getattr(settings, "WHITENOISE_USE_FINDERS", False):
        call_command("collectstatic", interactive=False, verbosity=0)
    application = get_wsgi_application()
    shown = f"[{host}]" if ":" in host else host
    if host in ("0.0.0.0", "::"):
        shown = "127.0.0.1"
    print(banner(f"http://{shown}:{port}/", demo, database), file=out, flush=True)
    _stop_on_signals()
    try:
        run(host, port, application, threading=True, ipv6=":" in host, server_cls=WSGIServer)
    except KeyboardInterrupt:
        print("\nStopped.", file=out, flush=True)
    except OSError as exc:
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    return 0
