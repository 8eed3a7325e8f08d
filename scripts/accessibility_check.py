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
driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
driver.set_script_timeout(120)
failed = False
try:
    login = os.environ.get("AXE_LOGIN")
    if login:
        from selenium.webdriver.common.by import By
        email, password = login.split(":", 1)
        driver.get(base + "/login")
        driver.find_element(By.ID, "email").send_keys(email)
        driver.find_element(By.ID, "password").send_keys(password)
        driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        # bcrypt on a busy machine can take seconds: wait for the redirect, not just the click.
        from selenium.webdriver.support.ui import WebDriverWait
        try:
            WebDriverWait(driver, 60).until(lambda d: "/login" not in d.current_url)
        except Exception:
            pass
        if "/login" in driver.current_url:
            print(f"could not sign in as {email}")
            sys.exit(1)
    for path in paths:
        driver.get(base + path)
        driver.execute_script(axe_source)
        results = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, arguments[0]).then(done, e => done({error: String(e)}));", rules)
        if "error" in results:
            print(f"{path}: axe failed: {results['error']}")
            failed = True
            continue
        serious = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
        other = [v for v in results["violations"] if v not in serious]
        print(f"{path}: {len(results['passes'])} rules pass, {len(serious)} serious or critical, {len(other)} minor or moderate"
              + (f" ({', '.join(v['id'] for v in other)})" if other else ""))
        for v in serious:
            failed = True
            targets = [", ".join(n["target"]) for n in v["nodes"][:3]]
            print(f"  {v['impact']}: {v['id']}: {v['help']} at {json.dumps(targets)}")
finally:
    driver.quit()
sys.exit(1 if failed else 0)
