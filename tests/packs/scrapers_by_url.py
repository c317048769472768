"""Pages and APIs fetched by URL (scrapers pack, `urls`): the pages of LinkedIn, Facebook,
Instagram, X, VK and TikTok are lawful = false (their terms prohibit automated collection:
FL101, and FL103 when disclosed); the official APIs and the vendors' HTTP APIs keep their
origins ("unknown": FL102). Other hosts, look-alike hosts and URLs that cannot be resolved are
not sources."""

import sqlite3
import urllib.request

import httpx
import requests
from bs4 import BeautifulSoup

db = sqlite3.connect("people.db")
VK_API = "https://api.vk.com/method/"
HEADERS = {"User-Agent": "Mozilla/5.0"}


def social_pages(handle):
    page = requests.get(f"https://www.linkedin.com/in/{handle}/", headers=HEADERS)
    db.execute("INSERT INTO pages VALUES (?)", (page.text,))  # expect: FL101, FL102
    voyager = requests.Session().get("https://www.linkedin.com/voyager/api/identity/profiles/" + handle)
    db.execute("INSERT INTO people VALUES (?)", (str(voyager.json()),))  # expect: FL101
    requests.post("https://crm.example.com/leads", json=voyager.json())  # expect: FL103
    facebook = requests.get("https://m.facebook.com/%s/about" % handle).text
    db.execute("INSERT INTO pages VALUES (?)", (facebook,))  # expect: FL101
    instagram = httpx.get("https://i.instagram.com/api/v1/users/web_profile_info/", params={"username": handle})
    db.execute("INSERT INTO people VALUES (?)", (str(instagram.json()["data"]["user"]["full_name"]),))  # expect: FL101
    tweets = requests.get("https://x.com/{}".format(handle)).content
    db.execute("INSERT INTO pages VALUES (?)", (tweets,))  # expect: FL101
    vk = urllib.request.urlopen("https://vk.com/" + handle).read()
    db.execute("INSERT INTO pages VALUES (?)", (vk,))  # expect: FL101
    tiktok = requests.get(f"https://www.tiktok.com/@{handle}").text
    db.execute("INSERT INTO pages VALUES (?)", (tiktok,))  # expect: FL101


def parsed_social_page(handle):
    html = requests.get(f"https://www.linkedin.com/in/{handle}/").text
    soup = BeautifulSoup(html, "html.parser")
    db.execute("INSERT INTO people VALUES (?)", (soup.h1.get_text(),))  # expect: FL101, FL102


def official_apis_and_vendors(handle, email):
    users = requests.get(VK_API + "users.get", params={"user_ids": handle, "fields": "city"}).json()
    db.execute("INSERT INTO people VALUES (?)", (str(users["response"]),))  # expect: FL102
    graph = requests.get(f"https://graph.facebook.com/v19.0/{handle}", params={"fields": "name"}).json()
    db.execute("INSERT INTO people VALUES (?)", (graph["name"],))  # expect: FL102
    tweets = httpx.Client(base_url="https://api.x.com/2").get(f"/users/by/username/{handle}").json()
    db.execute("INSERT INTO people VALUES (?)", (str(tweets),))  # expect: FL102
    person = requests.get("https://api.peopledatalabs.com/v5/person/enrich", params={"email": email}).json()
    db.execute("INSERT INTO people VALUES (?)", (person["data"]["full_name"],))  # expect: FL102
    found = requests.get("https://api.hunter.io/v2/email-finder", params={"domain": "example.com"}).json()
    db.execute("INSERT INTO emails VALUES (?)", (found["data"]["email"],))  # expect: FL102
    profile = requests.get("https://api.github.com/users/" + handle).json()
    db.execute("INSERT INTO people VALUES (?)", (profile["email"],))  # expect: FL102
    requests.post("https://crm.example.com/leads", json=profile)  # expect: FL104


def lookalikes(handle, url):
    other = requests.get(f"https://www.linkedin.example.com/in/{handle}").text
    db.execute("INSERT INTO pages VALUES (?)", (other,))
    jobs = requests.get("https://careers.example.com/linkedin.com/jobs").text
    db.execute("INSERT INTO pages VALUES (?)", (jobs,))
    unresolved = requests.get(url).text
    db.execute("INSERT INTO pages VALUES (?)", (unresolved,))
    official = requests.get("https://api.linkedin.com/v2/me").json()
    db.execute("INSERT INTO me VALUES (?)", (str(official),))
    repo = requests.get("https://api.github.com/repos/owner/project").json()
    db.execute("INSERT INTO repos VALUES (?)", (repo["stargazers_count"],))
    db.execute("INSERT INTO lookups VALUES (?)", ("https://www.linkedin.com/in/" + handle,))
