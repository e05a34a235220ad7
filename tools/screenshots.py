#!/usr/bin/env python3
"""Screenshots of the KPI screens (scorecard screen, team board, plan grid) for the documentation.

Drives headless Chromium through the DevTools protocol against a running Odoo 18 server whose database has the
olimp_kpi demo data (the article's case: Irina Petrova, sales plan 500,000, actual 491,970)::

    tools/screenshots.py --url http://127.0.0.1:18210 --db ui_shots --lang en_US
    tools/screenshots.py --url http://127.0.0.1:18210 --db ui_shots --lang ru_RU

writes ``docs/screenshots/<screen>.<lang>.png``; with ``--phone``, the phone shots (390 × 844, a touch screen)
``docs/screenshots/<screen>_phone.<lang>.png``. For another language the script installs it when needed, switches
the user to it for the shots and switches back afterwards. Needs ``requests`` and ``websocket-client`` (both in
Odoo's environment) and Chromium (``/usr/bin/chromium`` or ``--chromium``).
"""

import argparse
import base64
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import websocket

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 30

# name, path in the web client, CSS selector to wait for, JavaScript to run before the shot (optional)
SCREENS = [
    (
        "scorecard",
        "/odoo/kpi-scorecard?employee_id={employee_id}",
        ".o_olimp_row[data-kpi-code=SALES]",
        "document.querySelector('.o_olimp_row[data-kpi-code=SALES]').click()",
        ".o_olimp_details[data-kpi-code=SALES] .o_olimp_history_svg",
    ),
    (
        "scorecard_checklist",
        "/odoo/kpi-scorecard?employee_id={employee_id}",
        ".o_olimp_row[data-kpi-code=MEETING_PLAN]",
        "document.querySelector('.o_olimp_row[data-kpi-code=MEETING_PLAN]').click()",
        ".o_olimp_details[data-kpi-code=MEETING_PLAN] .o_olimp_answer",
    ),
    ("team_board", "/odoo/kpi-team-board", ".o_olimp_board_cell", None, None),
    ("plan_grid", "/odoo/kpi-plans", ".o_olimp_plan_input", None, None),
    ("plan_grid_year", "/odoo/kpi-plans?mode=year&kpi_id={sales_kpi_id}", ".o_olimp_plan_input", None, None),
]
# The same on a phone: the scorecard's stacked rows, the details opened under a row, the team board.
PHONE_SIZE = (390, 844)
PHONE_SCREENS = [
    (
        "scorecard_phone",
        "/odoo/kpi-scorecard?employee_id={employee_id}",
        ".o_olimp_row[data-kpi-code=SALES]",
        None,
        None,
    ),
    (
        "scorecard_details_phone",
        "/odoo/kpi-scorecard?employee_id={employee_id}",
        ".o_olimp_row[data-kpi-code=SALES]",
        "document.querySelector('.o_olimp_row[data-kpi-code=SALES]').click()",
        ".o_olimp_row_details .o_olimp_details[data-kpi-code=SALES]",
    ),
    ("team_board_phone", "/odoo/kpi-team-board", ".o_olimp_board_cell", None, None),
]


class Rpc:
    def __init__(self, url, db, login, password):
        self.url = url.rstrip("/")
        self.session = requests.Session()
        deadline = time.time() + TIMEOUT
        while True:  # the server may still be starting
            try:
                result = self.call("/web/session/authenticate", {"db": db, "login": login, "password": password})
                break
            except requests.ConnectionError:
                if time.time() > deadline:
                    raise
                time.sleep(1)
        self.uid = result["uid"]

    def call(self, route, params):
        response = self.session.post(
            self.url + route, json={"jsonrpc": "2.0", "method": "call", "params": params}, timeout=TIMEOUT
        )
        response.raise_for_status()
        payload = response.json()
        if "error" in payload:
            raise RuntimeError(payload["error"]["data"]["message"])
        return payload["result"]

    def call_kw(self, model, method, args, **kwargs):
        return self.call("/web/dataset/call_kw", {"model": model, "method": method, "args": args, "kwargs": kwargs})

    @property
    def session_id(self):
        return self.session.cookies["session_id"]


class Browser:
    """Just enough of the DevTools protocol: navigate, evaluate, wait for a selector, capture."""

    def __init__(self, chromium, width, height, phone=False):
        self.profile = tempfile.mkdtemp(prefix="olimp-shots-")
        self.process = subprocess.Popen(
            [
                chromium,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--hide-scrollbars",
                f"--user-data-dir={self.profile}",
                f"--window-size={width},{height}",
                *(["--touch-events"] if phone else []),
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port = self._port()
        targets = requests.get(f"http://127.0.0.1:{port}/json", timeout=TIMEOUT).json()
        page = next(target for target in targets if target["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=TIMEOUT, suppress_origin=True)
        self.next_id = 0
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=phone)
        if phone:
            self.send("Emulation.setTouchEmulationEnabled", enabled=True, maxTouchPoints=5)

    def _port(self):
        marker = Path(self.profile) / "DevToolsActivePort"
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            if marker.exists() and marker.read_text().strip():
                return int(marker.read_text().split()[0])
            time.sleep(0.1)
        raise RuntimeError("Chromium did not open its DevTools port")

    def send(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, selector, timeout=TIMEOUT):
        deadline = time.time() + timeout
        check = f"!!document.querySelector({json.dumps(selector)})"
        while time.time() < deadline:
            if self.evaluate(check):
                return
            time.sleep(0.2)
        raise RuntimeError(f"{selector} did not appear")

    def settle(self):
        """Wait until no RPC is running and the fonts are in, then a little more for the last paint."""
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            if self.evaluate("!document.querySelector('.o_blockUI, .o_loading_indicator')"):
                break
            time.sleep(0.2)
        self.evaluate("document.fonts.ready.then(() => true)")
        time.sleep(0.8)

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=False)["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self):
        try:
            self.ws.close()
        finally:
            self.process.terminate()
            self.process.wait(timeout=TIMEOUT)
            shutil.rmtree(self.profile, ignore_errors=True)


def set_language(rpc, lang):
    """Install ``lang`` when needed and make it the user's; returns the language to restore afterwards."""
    previous = rpc.call_kw("res.users", "read", [[rpc.uid], ["lang"]])[0]["lang"]
    if previous == lang:
        return previous
    installed = rpc.call_kw("res.lang", "search_read", [[("code", "=", lang)], ["id"]])
    if not installed:
        languages = rpc.call_kw(
            "res.lang", "search_read", [[("code", "=", lang)], ["id"]], context={"active_test": False}
        )
        if not languages:
            raise SystemExit(f"Unknown language {lang}")
        wizard = rpc.call_kw("base.language.install", "create", [{"lang_ids": [(6, 0, [languages[0]["id"]])]}])
        rpc.call_kw("base.language.install", "lang_install", [[wizard]])
    rpc.call_kw("res.users", "write", [[rpc.uid], {"lang": lang}])
    return previous


def server_arguments(description):
    """A parser with the options of a running Odoo server to work on: URL, database, login, password, language."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", required=True)
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--lang", default="en_US")
    return parser


def main(argv=None):
    parser = server_arguments(__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--height", type=int, default=1000)
    parser.add_argument("--phone", action="store_true", help="the phone shots (390 × 844) instead")
    parser.add_argument("--only", nargs="*", help="names of the screens to take (default: all)")
    args = parser.parse_args(argv)
    screens = SCREENS
    if args.phone:
        args.width, args.height = PHONE_SIZE
        screens = PHONE_SCREENS

    rpc = Rpc(args.url, args.db, args.login, args.password)
    records = {
        row["name"]: row["res_id"]
        for row in rpc.call_kw(
            "ir.model.data",
            "search_read",
            [[("module", "=", "olimp_kpi"), ("name", "in", ["employee_irina_demo", "kpi_sales_amount"])]],
            fields=["name", "res_id"],
        )
    }
    if "employee_irina_demo" not in records:
        raise SystemExit("The olimp_kpi demo data is not installed in this database.")
    values = {"employee_id": records["employee_irina_demo"], "sales_kpi_id": records["kpi_sales_amount"]}
    previous_lang = set_language(rpc, args.lang)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    browser = Browser(args.chromium, args.width, args.height, phone=args.phone)
    try:
        browser.send(
            "Network.setCookie", name="session_id", value=rpc.session_id, url=args.url, path="/", httpOnly=True
        )
        for name, path, ready, script, then in screens:
            if args.only and name not in args.only:
                continue
            browser.send("Page.navigate", url=args.url.rstrip("/") + path.format(**values))
            browser.wait_for(ready)
            if script:
                browser.evaluate(script)
            if then:
                browser.wait_for(then)
            browser.settle()
            target = out / f"{name}.{args.lang}.png"
            browser.screenshot(target)
            print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
    finally:
        browser.close()
        if previous_lang != args.lang:
            rpc.call_kw("res.users", "write", [[rpc.uid], {"lang": previous_lang}])
    return 0


if __name__ == "__main__":
    sys.exit(main())
