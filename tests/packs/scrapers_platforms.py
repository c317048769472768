"""Scraping platforms and page fetches (scrapers pack): the items an Apify actor scraped
(`apify`, FL102), and any page fetched by a client that presents itself as a browser
(`web_page`, FL102). The run's metadata, and requests that do not pretend to be a browser, are
not sources."""

import sqlite3

import requests
from apify_client import ApifyClient

db = sqlite3.connect("people.db")
BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"}


def apify_items(url):
    client = ApifyClient("token")
    run = client.actor("apify/website-content-crawler").call(run_input={"startUrls": [{"url": url}]})
    db.execute("INSERT INTO runs VALUES (?)", (run["defaultDatasetId"],))
    for item in client.dataset(run["defaultDatasetId"]).iterate_items():
        db.execute("INSERT INTO people VALUES (?)", (item["name"],))  # expect: FL102
    record = client.key_value_store(run["defaultKeyValueStoreId"]).get_record("OUTPUT")
    db.execute("INSERT INTO people VALUES (?)", (str(record["value"]),))  # expect: FL102
    listed = client.dataset("abc").list_items().items
    db.execute("INSERT INTO people VALUES (?)", (str(listed),))  # expect: FL102


def browser_like_fetch(url):
    html = requests.get(url, headers=BROWSER, timeout=10).text
    db.execute("INSERT INTO pages VALUES (?)", (html,))  # expect: FL102
    status = requests.get(url, headers={"User-Agent": "acme-monitor/2.0"}).text
    db.execute("INSERT INTO pages VALUES (?)", (status,))
    plain = requests.get(url).text
    db.execute("INSERT INTO pages VALUES (?)", (plain,))
