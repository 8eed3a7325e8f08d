"""Check the public pages with axe-core in headless Chromium.

axe-core comes from PyPI (the axe.min.js that axe-playwright-python bundles, axe-core 4.x,
installed with --no-deps: only the script is used); Selenium drives Debian's Chromium and
chromedriver. Every page is loaded, axe runs with the WCAG 2.1 A/AA rules, and any
violation of impact "serious" or "critical" fails the check (exit status 1) with the
rule, the impact and the first offending elements. Minor and moderate findings are
listed, not failed.

    python scripts/accessibility_check.py http://127.0.0.1:8080 /open /open/areas/x ...

With AXE_LOGIN=email:password the browser signs in through /login first, so pages behind
sign-in (the plan's scorecard, a measure's page) are checked as that user sees them.

Crawl mode checks every page a crawl finds, signed out and as each account:

    AXE_CRAWL=40 AXE_LOGINS=a@x:pw,b@y:pw python scripts/accessibility_check.py BASE /

From the given paths it follows every same-site link (not downloads, the API, sign-out or
the map layers' GeoJSON), at most AXE_CRAWL pages per identity. Pages that differ only in a
number in the path (/grants/awards/1, /grants/awards/2) are one page: the first is checked.
With AXE_CRAWL_ONCE=1 a page already checked as one identity is not checked again as the
next (CI's bounded sample); without it every identity checks every page it can reach.
"""
import importlib.util
import json
import os
import shutil
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

base, paths = sys.argv[1].rstrip("/"), sys.argv[2:]
package = importlib.util.find_spec("axe_playwright_python").submodule_search_locations[0]
axe_source = open(os.path.join(package, "axe.min.js"), encoding="utf-8").read()
rules = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}
options = webdriver.ChromeOptions()
for argument in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"]:
    options.add_argument(argument)
options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
import re
from urllib.parse import urljoin, urlsplit

SKIP_EXTENSIONS = (".csv", ".json", ".geojson", ".pdf", ".svg", ".png", ".zip", ".txt", ".xml")
SKIP_PREFIXES = ("/api/", "/logout", "/maps/", "/css/", "/js/", "/vendor/")


def template(path):
    """A page's path with numbers in it made general: /grants/awards/12 → /grants/awards/#."""
    return re.sub(r"/\d+(?=/|$)", "/#", path)


def new_driver():
    d = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
    d.set_script_timeout(120)
    return d


def sign_in(driver, login):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    email, password = login.split(":", 1)
    driver.get(base + "/login")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    # bcrypt on a busy machine can take seconds: wait for the redirect, not just the click.
    try:
        WebDriverWait(driver, 60).until(lambda d: "/login" not in d.current_url)
    except Exception:
        pass
    if "/login" in driver.current_url:
        print(f"could not sign in as {email}")
        sys.exit(1)


def check(driver, path, who=""):
    """Runs axe on the page; True when it has no serious or critical violation."""
    driver.get(base + path)
    driver.execute_script(axe_source)
    results = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, arguments[0]).then(done, e => done({error: String(e)}));", rules)
    label = f"{who}{path}"
    if "error" in results:
        print(f"{label}: axe failed: {results['error']}")
        return False
    serious = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    other = [v for v in results["violations"] if v not in serious]
    print(f"{label}: {len(results['passes'])} rules pass, {len(serious)} serious or critical, {len(other)} minor or moderate"
          + (f" ({', '.join(v['id'] for v in other)})" if other else ""))
    for v in serious:
        targets = [", ".join(n["target"]) for n in v["nodes"][:3]]
        print(f"  {v['impact']}: {v['id']}: {v['help']} at {json.dumps(targets)}")
    return not serious


def links(driver):
    hrefs = driver.execute_script("return [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))")
    out = []
    for href in hrefs:
        if not isinstance(href, str) or href.startswith(("#", "mailto:", "tel:")):
            continue
        parts = urlsplit(urljoin(base + "/", href))
        if parts.netloc != urlsplit(base).netloc or parts.path.startswith(SKIP_PREFIXES):
            continue
        if parts.path.endswith(SKIP_EXTENSIONS) or "download" in parts.path:
            continue
        out.append(parts.path + (("?" + parts.query) if parts.query else ""))
    return out


failed = False
crawl = int(os.environ.get("AXE_CRAWL", "0"))
if crawl:
    logins = [x for x in os.environ.get("AXE_LOGINS", "").split(",") if x]
    once = os.environ.get("AXE_CRAWL_ONCE") == "1"
    checked_anywhere = set()
    total = 0
    for login in [None] + logins:
        who = (login.split(":", 1)[0] if login else "signed out") + " "
        driver = new_driver()
        try:
            if login:
                sign_in(driver, login)
            queue, seen, count = list(paths), set(), 0
            while queue and count < crawl:
                path = queue.pop(0)
                key = template(path.split("?", 1)[0])
                if key in seen:
                    continue
                seen.add(key)
                if once and key in checked_anywhere:
                    # Still follow its links: another identity may reach new pages through it.
                    driver.get(base + path)
                else:
                    failed = not check(driver, path, who) or failed
                    checked_anywhere.add(key)
                    count += 1
                    total += 1
                queue.extend(p for p in links(driver) if template(p.split("?", 1)[0]) not in seen)
            print(f"{who.strip()}: {count} pages checked")
        finally:
            driver.quit()
    print(f"axe crawl: {total} pages checked as {1 + len(logins)} identities")
    sys.exit(1 if failed else 0)

driver = new_driver()
try:
    login = os.environ.get("AXE_LOGIN")
    if login:
        sign_in(driver, login)
    for path in paths:
        failed = not check(driver, path) or failed
finally:
    driver.quit()
sys.exit(1 if failed else 0)
