"""/docs and /redoc render on a network with no Internet (issue 15, item 9).

FastAPI's default pages load Swagger UI and ReDoc from cdn.jsdelivr.net (and ReDoc Google Fonts): on the ministry's
network /docs was a blank page. The pages now load local bundles (ui/apidocs.py). Checked twice: the HTML names no
outside address and every asset it names is served; and a real Chromium, with every host but 127.0.0.1 unresolvable,
renders the API's title in both pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.accounts import Accounts
from app.services import Services
from core.settings import Settings
from tests.browser import ARTIFACTS, start_chromium
from tests.test_workdesk_browser import served, wait_for

_URL = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url\(["']?([^"')]+)""")


@pytest.fixture(scope="module")
def api_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("apidocs")
    settings = Settings().model_copy(update={"data_dir": root})
    services = Services.from_settings(settings)
    accounts = Accounts.from_settings(settings)
    with served(settings, services, accounts) as url:
        yield url


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_pages_name_no_outside_address_and_every_asset_they_name_is_served(api_url: str, page: str) -> None:
    html = httpx.get(api_url + page).text
    urls = [a or b for a, b in _URL.findall(html)]
    scripts = [u for u in urls if u.endswith(".js")]
    assert scripts, html  # the page does load a bundle
    outside = [u for u in urls if re.match(r"(https?:)?//", u)]
    assert not outside, outside
    assert "fonts.googleapis" not in html and "cdn.jsdelivr" not in html
    for u in urls:
        r = httpx.get(api_url + u)
        assert r.status_code == 200 and len(r.content) > 1000, u
    assert "Kho tri thức" in httpx.get(api_url + "/openapi.json").text


def test_the_docs_pages_render_in_a_browser_with_no_internet(api_url: str) -> None:
    from selenium.webdriver.common.by import By

    # Every name but the loopback fails to resolve: a page that needs a CDN stays blank.
    driver = start_chromium("1280,900", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1")
    try:
        driver.get(api_url + "/docs")
        title = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".swagger-ui .info .title"))[0]
        assert "Kho tri thức" in title.text
        wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".opblock-summary-path"))  # the endpoints
        ARTIFACTS.mkdir(exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / "api_docs_offline.png"))
        driver.get(api_url + "/redoc")
        heading = wait_for(driver, lambda d: [h for h in d.find_elements(By.CSS_SELECTOR, "h1") if h.text])[0]
        assert "Kho tri thức" in heading.text
        driver.save_screenshot(str(ARTIFACTS / "api_redoc_offline.png"))
    finally:
        driver.quit()
