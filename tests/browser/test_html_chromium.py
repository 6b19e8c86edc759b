"""The html export in headless Chromium (Debian's chromium and chromium-driver, which
.ci/run installs): it shows every meeting, makes no request, and looks right (a
screenshot is saved to tests/artifacts/ for a person to look at)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.app import main

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(2)>"


def _missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (os.path.exists(path) and os.access(path, os.X_OK)):
            return f"{path} is not installed (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    reason = _missing()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; .ci/run installs it, so CI must not skip this test")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager download
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--no-first-run",
        "--no-default-browser-check",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1400,1000",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def _export(tmp_path: Path) -> tuple[Path, int]:
    """Seeds plus a meeting with a hostile title, exported as html; and the count."""
    runner = CliRunner()
    db = str(tmp_path / "tracker.db")
    assert runner.invoke(main, ["--db", db, "seed"]).exit_code == 0
    extra = tmp_path / "extra.json"
    extra.write_text(
        json.dumps(
            {
                "format": "tracker/1",
                "people": [{"uid": "person-x", "name": "Steve Witkoff"}],
                "meetings": [
                    {
                        "uid": "meeting-hostile",
                        "title": HOSTILE,
                        "date": "2025-09",
                        "participants": [{"person": "person-x", "role": "envoy"}],
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    assert runner.invoke(main, ["--db", db, "import", str(extra)]).exit_code == 0
    page = tmp_path / "timeline.html"
    result = runner.invoke(main, ["--db", db, "export", "-o", str(page)])
    assert result.exit_code == 0, result.output
    count = int(result.stderr.split()[1])  # "Wrote N meetings as html to ..."
    return page, count


def test_the_html_export_in_chromium(browser: Any, tmp_path: Path) -> None:
    page, count = _export(tmp_path)
    assert count == 23
    url = page.as_uri()
    browser.get("about:blank")
    browser.get_log("performance")  # drain what the browser's own start-up pages did
    browser.get(url)

    shown = browser.execute_script(
        "return {"
        " rows: document.querySelectorAll('tbody tr[data-uid]').length,"
        " marked: new Set([...document.querySelectorAll('svg .mark')]"
        "   .map(m => m.dataset.uid)).size,"
        " scripts: document.scripts.length,"
        " images: document.images.length,"
        " hostile: [...document.querySelectorAll('tbody th')]"
        "   .some(th => th.textContent === arguments[0]),"
        " lanes: document.querySelectorAll('svg .lane-label').length,"
        " resources: performance.getEntriesByType('resource').length,"
        " lang: document.documentElement.lang,"
        " h1: document.querySelector('h1').textContent"
        "}",
        HOSTILE,
    )
    assert shown["rows"] == count
    assert shown["marked"] == count
    assert shown["scripts"] == 0
    assert shown["images"] == 0
    assert shown["hostile"] is True
    assert shown["lanes"] >= 5
    assert shown["resources"] == 0
    assert shown["lang"] == "en"
    assert shown["h1"] == "Diplomatic visits and meetings"

    # Every request the page made, from Chromium's own network log: only the file.
    requested = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] != "Network.requestWillBeSent":
            continue
        params = message["params"]
        if params.get("documentURL", "").startswith("chrome://"):
            continue  # Chromium's own pages (a new tab page), not ours
        requested.append(params["request"]["url"])
    assert requested == [url]

    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "export-html-top.png"))
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1400, min(int(height) + 40, 6000))
    shot = ARTIFACTS / "export-html.png"
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    shutil.copy(page, ARTIFACTS / "export.html")
