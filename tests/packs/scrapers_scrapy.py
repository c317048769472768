"""A Scrapy spider and its item pipeline (scrapers pack, origin `scrapy`, "unknown": FL102).
The response passed to a callback named `parse` or `parse_*` is a source, and so is the item
Scrapy hands to a pipeline's `process_item`. A callback with another name is a known gap: the
engine cannot yet declare "parameter `response` of the methods of `scrapy.Spider` subclasses"."""

import sqlite3

import pymongo
import scrapy
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule

db = sqlite3.connect("people.db")


class ProfileSpider(scrapy.Spider):
    name = "profiles"
    start_urls = ["https://directory.example.com/people"]

    def parse(self, response):
        for card in response.css("div.profile"):
            db.execute("INSERT INTO people VALUES (?)", (card.css("h2::text").get(),))  # expect: FL102
            yield response.follow(card.css("a::attr(href)").get(), callback=self.parse_profile)
        db.execute("INSERT INTO pages VALUES (?)", (response.xpath("//title/text()").extract_first(),))  # expect: FL102
        db.execute("INSERT INTO crawls VALUES (?)", (self.name,))

    def parse_profile(self, response):
        db.execute("INSERT INTO people VALUES (?)", (str(response.css("li.email::text").getall()),))  # expect: FL102
        yield {"name": response.css("h1::text").get(), "bio": response.xpath("//p[@class='bio']/text()").extract()}

    def got_contacts(self, response):
        db.execute("INSERT INTO people VALUES (?)", (response.css("h1::text").get(),))  # xfail: FL102


class DirectorySpider(CrawlSpider):
    name = "directory"
    rules = [Rule(LinkExtractor(allow=r"/people/"), callback="parse_item")]

    def parse_item(self, response):
        db.execute("INSERT INTO people VALUES (?)", (response.css("h1::text").get(),))  # expect: FL102


class StorePipeline:
    def open_spider(self, spider):
        self.client = pymongo.MongoClient()
        db.execute("INSERT INTO crawls VALUES (?)", (spider.name,))

    def process_item(self, item, spider):
        self.client.crawl.people.insert_one(dict(item))  # expect: FL102
        db.execute("INSERT INTO people VALUES (?)", (item["name"],))  # expect: FL102
        db.execute("INSERT INTO crawls VALUES (?)", (spider.name,))
        return item
