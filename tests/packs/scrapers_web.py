"""Web pages parsed with an HTML parser (scrapers pack, origin `web_page`, "unknown": FL102, and
FL104 when disclosed): BeautifulSoup, lxml.html, parsel, selectolax, pyquery, requests-html.
Whatever parses the HTML is the source, whatever fetched it; counts of what was found are not
personal data (`len` keeps no data)."""

import sqlite3

import lxml.html
import lxml.html.html5parser
import lxml.html.soupparser
import pyquery.pyquery
import scrapy
import html5lib
import parsel
import requests
from bs4 import BeautifulSoup
from lxml import etree
from pyquery import PyQuery
from requests_html import HTMLSession
from requests_html import HTML
from selectolax.lexbor import LexborHTMLParser
from selectolax.parser import HTMLParser

db = sqlite3.connect("people.db")


def beautifulsoup(url):
    soup = BeautifulSoup(requests.get(url).text, "html.parser")
    db.execute("INSERT INTO people VALUES (?)", (soup.title.string,))  # expect: FL102
    db.execute("INSERT INTO people VALUES (?)", (soup.find("h1", class_="name").get_text(strip=True),))  # expect: FL102
    for card in soup.find_all("div", class_="profile"):
        db.execute("INSERT INTO people VALUES (?)", (card.a["href"],))  # expect: FL102
    for link in soup.select("a.email"):
        db.execute("INSERT INTO people VALUES (?)", (link.attrs["href"],))  # expect: FL102
    db.execute("INSERT INTO stats VALUES (?)", (len(soup.find_all("a")),))
    db.execute("INSERT INTO pages VALUES (?)", (url,))
    requests.post("https://crm.example.com/leads", json={"bio": soup.select_one(".bio").text})  # expect: FL104
    requests.post("https://crm.example.com/pages", json={"url": url})


def lxml_pages(url):
    page = requests.get(url).content
    tree = lxml.html.fromstring(page)
    db.execute("INSERT INTO people VALUES (?)", (tree.xpath("//h1/text()")[0],))  # expect: FL102
    document = lxml.html.document_fromstring(page)
    db.execute("INSERT INTO people VALUES (?)", (document.text_content(),))  # expect: FL102
    html = etree.HTML(page)
    db.execute("INSERT INTO people VALUES (?)", (html.findtext(".//title"),))  # expect: FL102
    row = etree.Element("row")
    db.execute("INSERT INTO templates VALUES (?)", (etree.tostring(row),))


def parsel_selectolax_pyquery(url):
    text = requests.get(url).text
    selector = parsel.Selector(text=text)
    db.execute("INSERT INTO people VALUES (?)", (selector.css("h1::text").get(),))  # expect: FL102
    db.execute("INSERT INTO people VALUES (?)", (str(selector.xpath("//a/@href").getall()),))  # expect: FL102
    db.execute("INSERT INTO stats VALUES (?)", (len(selector.css("a")),))
    tree = HTMLParser(text)
    db.execute("INSERT INTO people VALUES (?)", (tree.css_first("h1").text(),))  # expect: FL102
    lexbor = LexborHTMLParser(text)
    db.execute("INSERT INTO people VALUES (?)", (lexbor.css_first(".name").text(),))  # expect: FL102
    db.execute("INSERT INTO stats VALUES (?)", (len(tree.css("a")),))
    document = PyQuery(text)
    db.execute("INSERT INTO people VALUES (?)", (document("h1").text(),))  # expect: FL102
    db.execute("INSERT INTO stats VALUES (?)", (len(document("a")),))


def requests_html(url):
    response = HTMLSession().get(url)
    db.execute("INSERT INTO people VALUES (?)", (response.html.find("h1", first=True).text,))  # expect: FL102
    db.execute("INSERT INTO stats VALUES (?)", (len(response.html.links),))


def other_parsers(url):
    page = requests.get(url).text
    fragment = lxml.html.fragment_fromstring(page, create_parent="div")
    db.execute("INSERT INTO people VALUES (?)", (fragment.text_content(),))  # expect: FL102
    for element in lxml.html.fragments_fromstring(page):
        db.execute("INSERT INTO people VALUES (?)", (str(element),))  # expect: FL102
    parsed = lxml.html.parse(url)
    db.execute("INSERT INTO people VALUES (?)", (parsed.getroot().findtext(".//h1"),))  # expect: FL102
    document = html5lib.parse(page)
    db.execute("INSERT INTO people VALUES (?)", (str(document),))  # expect: FL102
    rendered = HTML(html=page)
    db.execute("INSERT INTO people VALUES (?)", (rendered.find("h1", first=True).text,))  # expect: FL102
    posted = HTMLSession().post(url, data={"q": "static"})
    db.execute("INSERT INTO people VALUES (?)", (posted.html.text,))  # expect: FL102


def more_parser_entry_points(url):
    page = requests.get(url).text
    soup_tree = lxml.html.soupparser.fromstring(page)
    db.execute("INSERT INTO people VALUES (?)", (soup_tree.text_content(),))  # expect: FL102
    html5_tree = lxml.html.html5parser.fromstring(page)
    db.execute("INSERT INTO people VALUES (?)", (str(html5_tree),))  # expect: FL102
    html5_document = lxml.html.html5parser.document_fromstring(page)
    db.execute("INSERT INTO people VALUES (?)", (str(html5_document),))  # expect: FL102
    selector = scrapy.Selector(text=page)
    db.execute("INSERT INTO people VALUES (?)", (selector.css("h1::text").get(),))  # expect: FL102
    db.execute("INSERT INTO people VALUES (?)", (pyquery.pyquery.PyQuery(page)("h1").text(),))  # expect: FL102
