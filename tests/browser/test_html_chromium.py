"""The html export in headless Chromium (Debian's chromium and chromium-driver, which
.ci/run installs): it shows every meeting, makes no request, runs only its own script,
reflows at a phone's, a laptop's and a desktop's width with nothing cut or scrolling
sideways, expands meetings, and filters them offline. Screenshots are saved to
tests/artifacts/ for a person to look at."""

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
from tests.conftest import BACKENDS, fresh_postgres_schema, postgres_schema_url

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(2)>"
WIDTHS = (390, 1366, 1920)
DECEMBER = "meeting-2025-12-02-witkoff-kushner-putin"
MEAWW = (
    "https://news.meaww.com/"
    "putin-meets-witkoff-and-kushner-for-five-hours-in-moscow-no-ukraine-peace-deal-achieved"
)


def _missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (os.path.exists(path) and os.access(path, os.X_OK)):
            return f"{path} is not installed (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
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
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path_factory.mktemp('profile')}",
        "--window-size=1400,1000",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module", params=BACKENDS)
def page(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, int]]:
    """Seeds plus a meeting with a hostile title, exported as html from SQLite, then
    from PostgreSQL; and the count."""
    tmp_path = tmp_path_factory.mktemp("html")
    if request.param == "sqlite":
        yield _page(tmp_path, str(tmp_path / "tracker.db"))
        return
    with fresh_postgres_schema() as schema:
        yield _page(tmp_path, postgres_schema_url(schema))


def _page(tmp_path: Path, db: str) -> tuple[Path, int]:
    runner = CliRunner()
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
    path = tmp_path / "timeline.html"
    result = runner.invoke(main, ["--db", db, "export", "-o", str(path)])
    assert result.exit_code == 0, result.output
    count = int(result.stderr.split()[1])  # "Wrote N meetings as html to ..."
    return path, count


def _open(browser: Any, path: Path, width: int = 1366, height: int = 1000) -> None:
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    browser.get(path.as_uri())


def _shown(browser: Any) -> list[str]:
    return browser.execute_script(  # type: ignore[no-any-return]
        "return [...document.querySelectorAll('tbody tr[data-uid]')]"
        ".filter(r => r.offsetHeight > 0).map(r => r.dataset.uid)"
    )


def test_the_page_makes_no_request_and_runs_only_its_own_script(
    browser: Any, page: tuple[Path, int]
) -> None:
    path, count = page
    assert count == 23
    browser.get("about:blank")
    browser.get_log("performance")  # drain what the browser's own start-up pages did
    browser.get_log("browser")
    _open(browser, path)
    shown = browser.execute_script(
        "return {"
        " rows: document.querySelectorAll('tbody tr[data-uid]').length,"
        " marked: new Set([...document.querySelectorAll('svg .mark')]"
        "   .map(m => m.dataset.uid)).size,"
        " scripts: document.scripts.length,"
        " images: document.images.length,"
        " hostile: [...document.querySelectorAll('tbody summary')]"
        "   .some(s => s.textContent === arguments[0]),"
        " lanes: document.querySelectorAll('svg .lane-label').length,"
        " spots: document.querySelectorAll('svg.map a.spot').length,"
        " resources: performance.getEntriesByType('resource').length,"
        " controls: !document.getElementById('controls').hidden,"
        " lang: document.documentElement.lang,"
        " h1: document.querySelector('h1').textContent"
        "}",
        HOSTILE,
    )
    assert shown["rows"] == count
    assert shown["marked"] == count
    assert shown["scripts"] == 1  # the page's own, allowed by its hash
    assert shown["controls"] is True  # it ran
    assert shown["images"] == 0
    assert shown["hostile"] is True
    assert shown["lanes"] >= 5
    assert shown["spots"] >= 10
    assert shown["resources"] == 0
    assert shown["lang"] == "en"
    assert shown["h1"] == "Diplomatic visits and meetings"
    # Nothing refused by the Content-Security-Policy, no error of the script.
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []

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
    assert requested == [path.as_uri()]


OVERFLOW = """
const width = document.documentElement.clientWidth;
const cut = [];
for (const el of document.querySelectorAll(
    'h1, h2, p, dd, dt, caption, th, td, summary, li, label, select, input, figcaption')) {
  if (el.offsetParent === null) continue;  // not shown
  const box = el.getBoundingClientRect();
  if (box.right > width + 1 || box.left < -1)
    cut.push(['outside', el.tagName, el.textContent.slice(0, 40)]);
  if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0)
    cut.push(['cut', el.tagName, el.textContent.slice(0, 40), el.scrollWidth, el.clientWidth]);
}
return {
  scroll: document.documentElement.scrollWidth, width: width,
  body: document.body.scrollWidth, cut: cut,
};
"""


@pytest.mark.parametrize("width", WIDTHS)
def test_the_page_reflows_without_sideways_scrolling_or_cut_text(
    browser: Any, page: tuple[Path, int], width: int
) -> None:
    path, _count = page
    _open(browser, path, width)
    # Every meeting open too: what it expands to must fit as well.
    browser.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
    found = browser.execute_script(OVERFLOW)
    assert found["scroll"] <= found["width"], found
    assert found["body"] <= found["width"], found
    assert found["cut"] == []
    ARTIFACTS.mkdir(exist_ok=True)
    browser.execute_script("document.querySelectorAll('details').forEach(d => d.open = false)")
    assert browser.save_screenshot(str(ARTIFACTS / f"export-html-{width}.png"))


LANE_TEXT = """
const texts = [...document.querySelectorAll('svg.lanes .lane-label, svg.lanes .tick-label')];
const box = document.querySelector('svg.lanes').closest('.lanes-box');
return {
  sizes: texts.map(t => ({
    cls: t.getAttribute('class'), text: t.textContent,
    px: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a,
  })),
  box: {scroll: box.scrollWidth, client: box.clientWidth,
        right: box.getBoundingClientRect().right},
  width: document.documentElement.clientWidth,
};
"""
LEGIBLE_PX = 11.0
"""The smallest rendered font size of the lanes figure's labels, at every width."""


@pytest.mark.parametrize("width", WIDTHS)
def test_the_lanes_labels_are_legible_at_every_width(
    browser: Any, page: tuple[Path, int], width: int
) -> None:
    path, _count = page
    _open(browser, path, width)
    found = browser.execute_script(LANE_TEXT)
    labels = [size for size in found["sizes"] if size["cls"] == "lane-label"]
    ticks = [size for size in found["sizes"] if size["cls"] == "tick-label"]
    assert len(labels) >= 5
    assert ticks
    small = [size for size in found["sizes"] if size["px"] < LEGIBLE_PX]
    assert small == [], found["box"]
    # The figure is no wider than the page: where it needs more room it scrolls in its
    # own box, and the page does not.
    assert found["box"]["right"] <= found["width"] + 1
    if width < 1000:
        assert found["box"]["scroll"] > found["box"]["client"]
    else:
        assert found["box"]["scroll"] <= found["box"]["client"] + 1


STICKY_NAMES = """
const box = document.querySelector('.lanes-box');
box.scrollLeft = box.scrollWidth;
const left = box.getBoundingClientRect().left;
const labels = [...document.querySelectorAll('svg.lanes .lane-label')];
return [...document.querySelectorAll('.lane-names li')].map((li, i) => {
  const b = li.getBoundingClientRect();
  const svg = labels[i].getBoundingClientRect();
  return {text: li.textContent, left: b.left - left, shown: b.width > 0,
          px: parseFloat(getComputedStyle(li).fontSize),
          middle: (b.top + b.bottom) / 2, lane: (svg.top + svg.bottom) / 2,
          scrolled: box.scrollLeft};
});
"""


def test_on_a_phone_the_envoy_names_stay_in_view_while_the_lanes_scroll(
    browser: Any, page: tuple[Path, int]
) -> None:
    path, _count = page
    _open(browser, path, 390)
    names = browser.execute_script(STICKY_NAMES)
    lanes = browser.execute_script(
        "return [...document.querySelectorAll('svg.lanes .lane-label')]"
        ".map(t => t.lastChild.textContent)"
    )
    assert [name["text"] for name in names] == lanes
    assert names[0]["scrolled"] > 400  # scrolled to the latest months
    for name in names:
        assert name["shown"]
        assert abs(name["left"]) <= 1  # at the box's left edge, not scrolled away
        assert name["px"] >= LEGIBLE_PX
        assert abs(name["middle"] - name["lane"]) <= 2  # beside its own lane


@pytest.mark.parametrize("width", WIDTHS)
def test_a_meeting_expands_to_participants_statements_and_sources(
    browser: Any, page: tuple[Path, int], width: int
) -> None:
    path, _count = page
    _open(browser, path, width)
    row = browser.find_element("id", f"m-{DECEMBER}")
    more = row.find_element("css selector", "details .more")
    assert not more.is_displayed()
    summary = row.find_element("css selector", "summary")
    browser.execute_script("arguments[0].scrollIntoView()", summary)
    summary.click()
    assert more.is_displayed()
    text = more.get_attribute("textContent")
    assert "Participants" in text
    assert "Vladimir Putin (host, RU)" in text
    assert "Jared Kushner (envoy, US)" in text
    assert "Statements" in text
    assert "Yuri Ushakov" in text  # a speaker, with what he said
    assert "Sources" in text
    links = [a.get_attribute("href") for a in more.find_elements("css selector", "a")]
    assert (
        "https://news.meaww.com/putin-meets-witkoff-and-kushner-for-five-hours-in-moscow-no-ukraine-peace-deal-achieved"
        in links
    )
    box = browser.execute_script(
        "const b = arguments[0].getBoundingClientRect(); return [b.left, b.right]", more
    )
    assert box[0] >= 0
    assert box[1] <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_a_meeting_expands_to_the_accounts_of_its_disputed_facts(
    browser: Any, page: tuple[Path, int], width: int
) -> None:
    path, _count = page
    _open(browser, path, width)
    row = browser.find_element("id", f"m-{DECEMBER}")
    summary = row.find_element("css selector", "summary")
    browser.execute_script("arguments[0].scrollIntoView()", summary)
    summary.click()
    facts = browser.execute_script(
        "return [...arguments[0].querySelectorAll('dl.accounts dt')].map(dt => ({"
        " fact: dt.firstChild.textContent.trim(),"
        " disputed: !!dt.querySelector('.disputed'),"
        " accounts: [...dt.nextElementSibling.querySelectorAll('li')].map(li => ({"
        "   value: li.querySelector('.value').textContent,"
        "   shown: li.offsetHeight > 0,"
        "   preferred: !!li.querySelector('.chosen'),"
        "   links: [...li.querySelectorAll('.from a')].map(a => a.href),"
        "   sources: li.querySelector('.from') ? li.querySelector('.from').textContent : ''"
        " }))"
        "}))",
        row,
    )
    duration = next(fact for fact in facts if fact["fact"] == "Duration")
    assert duration["disputed"] is True
    accounts = duration["accounts"]
    assert len(accounts) >= 2
    assert all(account["shown"] and account["sources"] for account in accounts)
    assert [a["value"] for a in accounts if a["preferred"]] == ["at least 5 h"]
    assert {a["value"] for a in accounts} >= {"at least 5 h", "5 h"}
    assert any(MEAWW in account["links"] for account in accounts)
    # The founding report has no URL: named by its title, not linked.
    named = [a for a in accounts if not a["links"]]
    assert named
    assert all("spacerujący po centrum Moskwy" in a["sources"] for a in named)


@pytest.mark.parametrize("width", WIDTHS)
def test_search_envoy_and_place_filters_work_offline(
    browser: Any, page: tuple[Path, int], width: int
) -> None:
    from selenium.webdriver.support.ui import Select

    path, count = page
    _open(browser, path, width)
    assert len(_shown(browser)) == count
    output = browser.find_element("id", "shown")
    assert output.text == f"{count} of {count} meetings shown"

    search = browser.find_element("id", "search")
    search.send_keys("istanbul")
    istanbul = _shown(browser)
    assert len(istanbul) == 3  # the Russia-Ukraine rounds of May, June and July
    assert all("istanbul" in uid for uid in istanbul)
    assert output.text == f"3 of {count} meetings shown"
    search.clear()
    search.send_keys("USHAKOV")  # any case; a speaker inside the closed details counts
    with_ushakov = _shown(browser)
    assert DECEMBER in with_ushakov
    assert "meeting-2025-02-11-witkoff-putin" not in with_ushakov
    search.clear()
    search.send_keys(" ")  # input event with nothing to look for
    assert len(_shown(browser)) == count

    Select(browser.find_element("id", "envoy")).select_by_visible_text("Kirill Dmitriev")
    dmitriev = _shown(browser)
    lane = browser.execute_script(
        "const label = [...document.querySelectorAll('svg .lane-label')]"
        "  .findIndex(l => l.textContent.includes('Kirill Dmitriev'));"
        "return label"
    )
    assert lane >= 0
    assert dmitriev
    for uid in dmitriev:
        cell = browser.find_element("css selector", f'tr[data-uid="{uid}"] td[data-label="Envoys"]')
        assert "Kirill Dmitriev" in cell.get_attribute("textContent")
    assert "meeting-2025-02-11-witkoff-putin" not in dmitriev
    Select(browser.find_element("id", "envoy")).select_by_index(0)
    assert len(_shown(browser)) == count

    # A marker on the map lists its place's meetings.
    spot = browser.find_element("css selector", 'a.spot[data-place="place-kremlin"]')
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click'))", spot)
    kremlin = _shown(browser)
    assert DECEMBER in kremlin
    assert len(kremlin) == 3
    assert browser.find_element("id", "place-name").text == "Kremlin"
    browser.find_element("id", "clear-place").click()
    assert len(_shown(browser)) == count


def test_the_print_stylesheet_prints_the_page_without_its_controls(
    browser: Any, page: tuple[Path, int]
) -> None:
    path, count = page
    _open(browser, path, 1366)
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        printed = browser.execute_script(
            "return {controls: getComputedStyle(document.getElementById('controls')).display,"
            " rows: [...document.querySelectorAll('tbody tr[data-uid]')]"
            "   .filter(r => r.offsetHeight > 0).length,"
            " head: getComputedStyle(document.querySelector('thead')).display}"
        )
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert printed == {"controls": "none", "rows": count, "head": "table-header-group"}
    pdf = browser.execute_cdp_cmd("Page.printToPDF", {"landscape": True})
    assert len(pdf["data"]) > 10_000
    shutil.copy(path, ARTIFACTS / "export.html") if ARTIFACTS.exists() else None
