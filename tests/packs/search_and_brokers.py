"""Search engines, people-data and e-mail finders, internet scanners (scrapers pack, "unknown":
FL102, and FL104 when disclosed): googlesearch, SerpApi, Hunter (pyhunter), Clearbit, Pipl,
Shodan. People Data Labs is in broker.py."""

import sqlite3

import clearbit
import googlesearch
import requests
import serpapi
import shodan
from googlesearch import search
from piplapis.search import SearchAPIRequest
from pyhunter import PyHunter
from serpapi import BingSearch, GoogleSearch

db = sqlite3.connect("people.db")


def search_engines(name):
    for url in search(f'"{name}" linkedin', num_results=10):
        db.execute("INSERT INTO links VALUES (?)", (url,))  # expect: FL102
    results = GoogleSearch({"q": name, "api_key": "key"}).get_dict()
    db.execute("INSERT INTO results VALUES (?)", (str(results["organic_results"]),))  # expect: FL102
    bing = BingSearch({"q": name, "api_key": "key"}).get_dict()
    db.execute("INSERT INTO results VALUES (?)", (str(bing),))  # expect: FL102
    found = serpapi.search(q=name, engine="google_images", api_key="key")
    db.execute("INSERT INTO results VALUES (?)", (str(found["images_results"]),))  # expect: FL102
    client = serpapi.Client(api_key="key")
    db.execute("INSERT INTO results VALUES (?)", (str(client.search(q=name)),))  # expect: FL102
    account = serpapi.Client(api_key="key").account()
    db.execute("INSERT INTO quota VALUES (?)", (str(account),))
    db.execute("INSERT INTO queries VALUES (?)", (name,))


def email_finders(domain, first, last):
    hunter = PyHunter("key")
    emails = hunter.domain_search(domain)
    db.execute("INSERT INTO emails VALUES (?)", (str(emails["emails"]),))  # expect: FL102
    address, score = hunter.email_finder(domain, first_name=first, last_name=last)
    db.execute("INSERT INTO emails VALUES (?)", (address,))  # expect: FL102
    requests.post("https://crm.example.com/leads", json={"email": address})  # expect: FL104
    db.execute("INSERT INTO quota VALUES (?)", (str(hunter.account_information()),))


def enrichment(email):
    clearbit.key = "key"
    person = clearbit.Enrichment.find(email=email, stream=True)
    db.execute("INSERT INTO people VALUES (?)", (person["person"]["name"]["fullName"],))  # expect: FL102
    profile = clearbit.Person.find(email=email)
    db.execute("INSERT INTO people VALUES (?)", (str(profile),))  # expect: FL102
    response = SearchAPIRequest(email=email, api_key="key").send()
    db.execute("INSERT INTO people VALUES (?)", (str(response.person),))  # expect: FL102
    db.execute("INSERT INTO lookups VALUES (?)", (email,))


def scanners(query):
    api = shodan.Shodan("key")
    for match in api.search(query)["matches"]:
        db.execute("INSERT INTO hosts VALUES (?, ?)", (match["ip_str"], match["data"]))  # expect: FL102
    host = api.host("192.0.2.1")
    db.execute("INSERT INTO hosts VALUES (?)", (str(host["hostnames"]),))  # expect: FL102
    info = api.info()
    db.execute("INSERT INTO quota VALUES (?)", (info["query_credits"],))


def more_vendors(name, domain, email):
    search = GoogleSearch({"q": name, "api_key": "key"})
    db.execute("INSERT INTO results VALUES (?)", (str(search.get_json()),))  # expect: FL102
    db.execute("INSERT INTO results VALUES (?)", (search.get_html(),))  # expect: FL102
    db.execute("INSERT INTO results VALUES (?)", (str(search.get_results()),))  # expect: FL102
    db.execute("INSERT INTO results VALUES (?)", (str(search.get_dictionary()),))  # expect: FL102
    db.execute("INSERT INTO results VALUES (?)", (str(googlesearch.get_page("https://www.google.com/search?q=x")),))  # expect: FL102
    hunter = PyHunter("key")
    db.execute("INSERT INTO emails VALUES (?)", (str(hunter.email_verifier(email)),))  # expect: FL102
    db.execute("INSERT INTO emails VALUES (?)", (str(hunter.author_finder(url="https://blog.example.com/post")),))  # expect: FL102
    db.execute("INSERT INTO people VALUES (?)", (str(hunter.people_enrichment(email)),))  # expect: FL102
    db.execute("INSERT INTO people VALUES (?)", (str(hunter.combined_enrichment(email)),))  # expect: FL102
    db.execute("INSERT INTO leads VALUES (?)", (str(hunter.get_leads()),))  # expect: FL102
    db.execute("INSERT INTO leads VALUES (?)", (str(hunter.get_lead(1)),))  # expect: FL102
    db.execute("INSERT INTO people VALUES (?)", (str(clearbit.PersonCompany.find(email=email)),))  # expect: FL102
    db.execute("INSERT INTO people VALUES (?)", (str(clearbit.Prospector.search(domain=domain)),))  # expect: FL102
    db.execute("INSERT INTO visitors VALUES (?)", (str(clearbit.Reveal.find(ip="192.0.2.1")),))  # expect: FL102
    api = shodan.Shodan("key")
    for banner in api.search_cursor("org:example"):
        db.execute("INSERT INTO hosts VALUES (?)", (banner["ip_str"],))  # expect: FL102
    db.execute("INSERT INTO hosts VALUES (?)", (str(api.dns.domain_info(domain)),))  # expect: FL102


def googlesearch_module(name):
    for url in googlesearch.search(name, num_results=5):
        db.execute("INSERT INTO links VALUES (?)", (url,))  # expect: FL102


def breach_lookups(email):
    checked = requests.get(f"https://api.xposedornot.com/v1/check-email/{email}").json()
    db.execute("INSERT INTO breaches VALUES (?)", (str(checked["breaches"]),))  # expect: FL102
    pwned = requests.get(f"https://haveibeenpwned.com/api/v3/breachedaccount/{email}", headers={"hibp-api-key": "key"})
    db.execute("INSERT INTO breaches VALUES (?)", (pwned.text,))  # expect: FL102
    records = requests.get("https://api.dehashed.com/search", params={"query": f"email:{email}"}, auth=("user", "key"))
    db.execute("INSERT INTO leaks VALUES (?)", (str(records.json()["entries"]),))  # expect: FL102
    status = requests.get("https://haveibeenpwned.com/").status_code
    db.execute("INSERT INTO status VALUES (?)", (status,))


def apollo(email):
    match = requests.post("https://api.apollo.io/api/v1/people/match", json={"email": email}, timeout=10).json()
    db.execute("INSERT INTO people VALUES (?)", (match["person"]["name"],))  # expect: FL102
    health = requests.get("https://status.apollo.io/").text
    db.execute("INSERT INTO status VALUES (?)", (health,))
