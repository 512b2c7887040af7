"""Screenshots of the demo at phone and desktop widths, into docs/screenshots/.

    uv run python scripts/screenshots.py              # starts `msinfusion serve --demo` on a free port
    uv run python scripts/screenshots.py --url http://127.0.0.1:8000   # a demo that is running

Logs in as demo-patient (dashboard, /me/) and demo-nurse (worklist, /worklist/), and saves PNGs of
the page (at most 4 screens long) at 390x844 (phone) and 1366x900 (desktop), with Debian's
chromium (/usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("MSINFUSION_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENS = 4  # at most this many screens of a long page (the worklist), to keep the files small
SIZES = {"phone": (390, 844), "desktop": (1366, 900)}
PAGES = [("patient-dashboard", "demo-patient", "/me/"), ("worklist", "demo-nurse", "/worklist/")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_demo(port: int, data_dir: str) -> subprocess.Popen:
    env = {**os.environ, "MSINFUSION_DATA_DIR": data_dir}
    proc = subprocess.Popen(
        [sys.executable, "-m", "msinfusion.cli", "serve", "--demo", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit("the demo server stopped before it answered") from None
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the demo server did not answer within 120 s")


def shoot(base: str) -> list[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    saved = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for name, username, path in PAGES:
            for size, (width, height) in SIZES.items():
                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                page.goto(base + "/login/")
                page.fill("#id_username", username)
                page.fill("#id_password", "demo-password")
                with page.expect_navigation():
                    page.get_by_role("button", name="Log in").click()
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                target = OUT / f"{name}-{size}.png"
                total = page.evaluate("document.documentElement.scrollHeight")
                clip = {"x": 0, "y": 0, "width": width, "height": min(total, SCREENS * height)}
                page.screenshot(path=str(target), full_page=True, clip=clip)
                saved.append(target)
                context.close()
        browser.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running demo (default: start one on a free port)")
    args = parser.parse_args()
    if args.url:
        saved = shoot(args.url.rstrip("/"))
    else:
        with tempfile.TemporaryDirectory(prefix="msinfusion-shots-") as data_dir:
            port = free_port()
            proc = start_demo(port, data_dir)
            try:
                saved = shoot(f"http://127.0.0.1:{port}")
            finally:
                proc.send_signal(signal.SIGINT)
                proc.wait(timeout=30)
    for path in saved:
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
