"""Web pages read through browser automation (scrapers pack, origin `headless_browser`,
"unknown": FL102, and FL104 when disclosed): Selenium (and undetected-chromedriver),
Playwright sync and async. Typing scraped data into another site's form is a disclosure
(`send_keys`, `fill`: core pack)."""

import sqlite3

import undetected_chromedriver as uc
import seleniumwire.webdriver
from playwright.async_api import async_playwright
from playwright.sync_api import sync_playwright
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

db = sqlite3.connect("people.db")


def selenium_pages(url):
    driver = webdriver.Chrome()
    driver.get(url)
    db.execute("INSERT INTO pages VALUES (?)", (driver.page_source,))  # expect: FL102
    name = driver.find_element(By.CSS_SELECTOR, "h1.name")
    db.execute("INSERT INTO people VALUES (?, ?)", (name.text, name.get_attribute("href")))  # expect: FL102
    for card in driver.find_elements(By.CLASS_NAME, "profile"):
        db.execute("INSERT INTO people VALUES (?)", (card.get_property("innerText"),))  # expect: FL102
    title = driver.execute_script("return document.title")
    db.execute("INSERT INTO pages VALUES (?)", (title,))  # expect: FL102
    shown = WebDriverWait(driver, 10).until(expected_conditions.presence_of_element_located((By.ID, "bio")))
    db.execute("INSERT INTO people VALUES (?)", (shown.text,))  # expect: FL102
    driver.find_element(By.ID, "next").click()
    db.execute("INSERT INTO runs VALUES (?)", (driver.capabilities["browserVersion"],))
    db.execute("INSERT INTO pages VALUES (?)", (url,))


def selenium_controls(url, selector):
    """Buttons are the site's controls: their labels are not data about anyone."""
    driver = webdriver.Chrome()
    driver.get(url)
    for button in driver.find_elements(By.XPATH, "//main//section[contains(@class, 'top-card')]//button"):
        db.execute("INSERT INTO labels VALUES (?)", (button.text,))
    db.execute("INSERT INTO labels VALUES (?)", (driver.find_element(By.CSS_SELECTOR, "div.actions > button.primary").text,))
    db.execute("INSERT INTO labels VALUES (?)", (driver.find_element(By.TAG_NAME, "button").text,))
    db.execute("INSERT INTO labels VALUES (?)", (driver.find_element_by_xpath("//button[@aria-label='Next']").text,))
    db.execute("INSERT INTO people VALUES (?)", (driver.find_element(By.XPATH, "//div[@class='button-bar']//span").text,))  # expect: FL102
    db.execute("INSERT INTO people VALUES (?)", (driver.find_element(By.XPATH, selector).text,))  # expect: FL102
    db.execute("INSERT INTO people VALUES (?)", (driver.find_element(By.XPATH, f"//{selector}//button").text,))  # expect: FL102


def selenium_into_another_site(url):
    driver = webdriver.Firefox()
    driver.get(url)
    scraped = driver.find_element(By.TAG_NAME, "h1").text
    remote = webdriver.Remote(command_executor="http://grid:4444")
    remote.get("https://people-search.example.com")
    remote.find_element(By.NAME, "q").send_keys(scraped)  # expect: FL104
    remote.find_element(By.NAME, "q").send_keys("static query")


def undetected(url):
    driver = uc.Chrome()
    driver.get(url)
    db.execute("INSERT INTO pages VALUES (?)", (driver.page_source,))  # expect: FL102
    db.execute("INSERT INTO people VALUES (?)", (driver.find_element(By.TAG_NAME, "h1").text,))  # expect: FL102


def playwright_sync(url):
    with sync_playwright() as p:
        browser = p.chromium.launch()
        page = browser.new_page()
        response = page.goto(url)
        db.execute("INSERT INTO pages VALUES (?)", (page.content(),))  # expect: FL102
        db.execute("INSERT INTO people VALUES (?)", (page.locator("h1").inner_text(),))  # expect: FL102
        db.execute("INSERT INTO people VALUES (?)", (page.locator(".bio").text_content(),))  # expect: FL102
        db.execute("INSERT INTO people VALUES (?)", (page.locator("a.profile").get_attribute("href"),))  # expect: FL102
        db.execute("INSERT INTO people VALUES (?)", (str(page.locator("li").all_inner_texts()),))  # expect: FL102
        db.execute("INSERT INTO people VALUES (?)", (page.evaluate("() => document.title"),))  # expect: FL102
        db.execute("INSERT INTO people VALUES (?)", (page.query_selector("h1").inner_text(),))  # expect: FL102
        db.execute("INSERT INTO pages VALUES (?)", (response.text(),))  # expect: FL102
        db.execute("INSERT INTO runs VALUES (?)", (response.status,))
        db.execute("INSERT INTO runs VALUES (?)", (page.url,))
        other = browser.new_page()
        other.goto("https://people-search.example.com")
        other.fill("input[name=q]", page.locator("h1").inner_text())  # expect: FL104
        other.fill("input[name=q]", "static query")


async def playwright_async(url):
    async with async_playwright() as p:
        browser = await p.chromium.launch()
        page = await browser.new_page()
        await page.goto(url)
        db.execute("INSERT INTO pages VALUES (?)", (await page.content(),))  # expect: FL102
        texts = await page.locator(".name").all_inner_texts()
        db.execute("INSERT INTO people VALUES (?)", (str(texts),))  # expect: FL102
        db.execute("INSERT INTO runs VALUES (?)", (await page.locator(".name").count(),))


def selenium_more(url):
    driver = webdriver.Edge()
    driver.get(url)
    db.execute("INSERT INTO pages VALUES (?)", (driver.title,))  # expect: FL102
    db.execute("INSERT INTO pages VALUES (?)", (driver.find_element_by_css_selector("h1").text,))  # expect: FL102
    db.execute("INSERT INTO pages VALUES (?)", (str(driver.find_elements_by_tag_name("li")),))  # expect: FL102
    db.execute("INSERT INTO pages VALUES (?)", (driver.execute_async_script("arguments[0](document.title)"),))  # expect: FL102
    db.execute("INSERT INTO shots VALUES (?)", (driver.get_screenshot_as_png(),))  # expect: FL102
    db.execute("INSERT INTO shots VALUES (?)", (driver.get_screenshot_as_base64(),))  # expect: FL102
    wire = seleniumwire.webdriver.Chrome()
    wire.get(url)
    db.execute("INSERT INTO pages VALUES (?)", (wire.page_source,))  # expect: FL102
    db.execute("INSERT INTO pages VALUES (?)", (wire.find_element(By.TAG_NAME, "h1").text,))  # expect: FL102
    wire.find_element(By.NAME, "q").send_keys(driver.title)  # expect: FL104
    undetected_driver = uc.Chrome()
    undetected_driver.get(url)
    db.execute("INSERT INTO pages VALUES (?)", (undetected_driver.title,))  # expect: FL102
    db.execute("INSERT INTO pages VALUES (?)", (str(undetected_driver.find_elements(By.TAG_NAME, "li")),))  # expect: FL102
    db.execute("INSERT INTO pages VALUES (?)", (undetected_driver.execute_script("return document.title"),))  # expect: FL102
    undetected_driver.find_element(By.NAME, "q").send_keys(driver.title)  # expect: FL104


def playwright_more(url):
    with sync_playwright() as p:
        page = p.firefox.launch().new_page()
        response = page.goto(url)
        db.execute("INSERT INTO pages VALUES (?)", (page.inner_html("main"),))  # expect: FL102
        db.execute("INSERT INTO pages VALUES (?)", (str(page.locator("li").all_text_contents()),))  # expect: FL102
        db.execute("INSERT INTO pages VALUES (?)", (page.input_value("#email"),))  # expect: FL102
        db.execute("INSERT INTO pages VALUES (?)", (str(page.locator("a").evaluate_all("els => els.map(e => e.href)")),))  # expect: FL102
        db.execute("INSERT INTO pages VALUES (?)", (page.eval_on_selector("h1", "e => e.textContent"),))  # expect: FL102
        db.execute("INSERT INTO pages VALUES (?)", (str(page.eval_on_selector_all("li", "els => els.length")),))  # expect: FL102
        db.execute("INSERT INTO pages VALUES (?)", (page.title(),))  # expect: FL102
        db.execute("INSERT INTO shots VALUES (?)", (page.screenshot(full_page=True),))  # expect: FL102
        db.execute("INSERT INTO pages VALUES (?)", (str(response.json()),))  # expect: FL102
        db.execute("INSERT INTO pages VALUES (?)", (response.body(),))  # expect: FL102
        other = p.firefox.launch().new_page()
        other.type("#q", page.title())  # expect: FL104
        other.locator("#q").press_sequentially(page.title())  # expect: FL104
        other.set_input_files("#photo", files=[page.screenshot()])  # expect: FL104
        other.locator("#q").type("static")
