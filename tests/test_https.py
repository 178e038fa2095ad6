"""production.ini over HTTPS, as deployed: gunicorn with TLS on loopback (a certificate the
test makes), the public address from PORTAL_BASE_URL, Pyramid's origin check on. A real
Chromium completes an assessment through the forms, with no CSP violation; a forged
cross-origin form is refused; the access log holds no private link in full.
"""

from __future__ import annotations

import http.cookiejar
import re
import ssl
import urllib.error
import urllib.parse
import urllib.request

import pytest
from playwright.sync_api import sync_playwright

from .served import serve
from .test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, Budget, answer_required, submit

TEST_SECONDS = 90


@pytest.fixture
def https_portal(tmp_path):
    with serve(
        tmp_path / "tls",
        "production.ini",
        server="gunicorn",
        tls=True,
        workers=2,
        threads=4,
        settings={"portal.throttle.create": "100/60"},
    ) as served:
        yield served


def test_a_client_completes_an_assessment_over_https_with_the_origin_check_on(https_portal):
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run ./scripts/test, which installs it")
    budget = Budget(TEST_SECONDS)
    base = https_portal.url
    assert base.startswith("https://127.0.0.1:")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=budget.ms(20_000)
        )
        try:
            context = browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 900})
            page = context.new_page()
            violations = []
            page.on(
                "console",
                lambda message: (
                    violations.append(message.text) if "Content Security Policy" in message.text else None
                ),
            )
            page.set_default_timeout(budget.ms())
            page.goto(base + "/", wait_until="load")
            page.locator("#title").fill("Over HTTPS")
            submit(page, "Start an assessment", budget)
            assert re.search(r"^https://127\.0\.0\.1:\d+/assessments/[^/]+/questionnaire\?page=1$", page.url)
            for _ in range(12):
                if "/questionnaire?page=" not in page.url:
                    break
                answer_required(page)
                last = page.get_by_role("button", name="Save and review", exact=True).count() == 1
                submit(page, "Save and review" if last else "Save and continue", budget)
            else:
                pytest.fail(f"the questionnaire never ended: still at {page.url}")
            assert page.url.endswith("/review"), page.url
            submit(page, "See the recommendation", budget)
            assert page.url.endswith("/revisions/1"), page.url
            assert page.locator("h1").inner_text().startswith("Recommendation")
            page.screenshot(path=ARTIFACTS / "https-result.png", full_page=True)
            link = page.url.rsplit("/revisions/", 1)[0]
            assert violations == []
        finally:
            browser.close()

    # Every state change above passed the origin check; a forged one does not.
    context = ssl._create_unverified_context()  # noqa: S323 (the test's own certificate)
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=context), urllib.request.HTTPCookieProcessor(jar)
    )
    start = opener.open(base + "/assessments/", timeout=30).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', start).group(1)
    forged = urllib.request.Request(
        base + "/assessments/",
        data=urllib.parse.urlencode({"csrf_token": token, "title": "Forged"}).encode(),
        headers={"Origin": "https://evil.example", "Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(forged, timeout=30)
    assert refused.value.code == 400
    assert "did not come from this site" in refused.value.read().decode()

    # The access log saw every request of the journey, each link masked.
    public_id = link.rsplit("/", 1)[1]
    access = (https_portal.ini.parent / "access.log").read_text()
    assert f"/assessments/{public_id[:6]}…/questionnaire" in access
    assert public_id not in access and public_id not in https_portal.log()
