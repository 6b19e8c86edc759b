"""Make the README's screenshot of the html export: the seed data, exported and shown in
headless Chromium at a laptop's width, scaled down.

    python tests/browser/screenshot.py tests/browser/html-export.png
"""

from __future__ import annotations

import base64
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from cli.app import main

WIDTH, HEIGHT, SCALE = 1366, 2000, 0.5


def shoot(target: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db, page = Path(folder) / "seed.db", Path(folder) / "seed.html"
        runner = CliRunner()
        assert runner.invoke(main, ["--db", str(db), "seed"]).exit_code == 0
        assert runner.invoke(main, ["--db", str(db), "export", "-o", str(page)]).exit_code == 0
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"):
            options.add_argument(flag)
        driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
        try:
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
            )
            driver.get(page.as_uri())
            # The first meeting open, to show what a meeting expands to.
            driver.execute_script("document.querySelector('tbody details').open = true")
            shot = driver.execute_cdp_cmd(
                "Page.captureScreenshot",
                {
                    "format": "png",
                    "captureBeyondViewport": True,
                    "clip": {"x": 0, "y": 0, "width": WIDTH, "height": HEIGHT, "scale": SCALE},
                },
            )
        finally:
            driver.quit()
    target.write_bytes(base64.b64decode(shot["data"]))


if __name__ == "__main__":
    shoot(Path(sys.argv[1]))
