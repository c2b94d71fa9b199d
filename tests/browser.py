"""Headless Chromium for browser tests: Debian's chromium and chromedriver, nothing downloaded."""
from __future__ import annotations

import os
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from ckanext.verifikasi.tests.world import PASSWORD  # CKAN's user factories' (conftest.py)

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def chromium(width: int = 1280, height: int = 1000, download_dir: str | None = None,
             phone: bool = False) -> webdriver.Chrome:
    """Headless Chromium; `phone` emulates a phone's screen (width x height CSS pixels)."""
    os.environ.setdefault("SE_AVOID_STATS", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 f"--window-size={width},{height}",
                 f"--user-data-dir={tempfile.mkdtemp(prefix='satudata-chromium-')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # csp_violations()
    if phone:
        options.add_experimental_option("mobileEmulation", {
            "deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.0}})
    if download_dir:
        options.add_experimental_option("prefs", {
            "download.default_directory": download_dir, "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    # No implicit wait: it made every look for an absent element take 5 s. What a page's
    # scripts draw is waited for explicitly (`WebDriverWait`).
    driver.implicitly_wait(0)
    driver.set_page_load_timeout(30)
    return driver


def on_screen(screens: dict[str, tuple[int, int, bool]], name: str) -> webdriver.Chrome:
    """Chromium on the screen `screens[name]` = (width, height, phone); `.screen` names it."""
    width, height, phone = screens[name]
    driver = chromium(width=width, height=height, phone=phone)
    driver.screen = name  # type: ignore[attr-defined]
    return driver


def sideways_scroll(browser: webdriver.Chrome) -> int:
    """How far the page scrolls sideways: 0 (or 1, rounding) when it fits the screen."""
    return browser.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;")


def csp_violations(browser: webdriver.Chrome) -> list[str]:
    """What the page's Content-Security-Policy blocked since the last call (the console)."""
    return [entry["message"] for entry in browser.get_log("browser")
            if "Content Security Policy" in entry.get("message", "")]


def login(browser: webdriver.Chrome, base_url: str, user: dict,
          password: str = PASSWORD) -> None:
    """Log in through the form (as anyone: earlier cookies are dropped first)."""
    browser.delete_all_cookies()
    browser.get(f"{base_url}/user/login")
    browser.find_element(By.ID, "field-login").send_keys(user["name"])
    field = browser.find_element(By.ID, "field-password")
    field.send_keys(password)
    field.submit()
    WebDriverWait(browser, 30).until(expected_conditions.staleness_of(field))
