"""X, Facebook and LinkedIn (scrapers pack): snscrape, twint, tweepy and facebook-scraper are
"unknown" (FL102); linkedin-api is lawful = false (FL101, and FL103 when disclosed)."""

import sqlite3

import requests
import snscrape.modules.twitter as sntwitter
import tweepy
import twint
from facebook_scraper import get_posts, get_profile
from linkedin_api import Linkedin
from snscrape.modules.instagram import InstagramUserScraper

db = sqlite3.connect("crm.db")


def snscrape_items(username):
    for tweet in sntwitter.TwitterUserScraper(username).get_items():
        db.execute("INSERT INTO tweets VALUES (?)", (tweet.rawContent,))  # expect: FL102
    scraper = sntwitter.TwitterSearchScraper("from:" + username)
    tweets = list(scraper.get_items())
    db.execute("INSERT INTO tweets VALUES (?)", (str(tweets),))  # expect: FL102
    user = sntwitter.TwitterUserScraper(username).entity
    db.execute("INSERT INTO people VALUES (?)", (user.displayname,))  # expect: FL102
    for post in InstagramUserScraper(username).get_items():
        db.execute("INSERT INTO posts VALUES (?)", (post.content,))  # expect: FL102


def twint_search(username):
    config = twint.Config()
    config.Username = username
    config.Store_object = True
    twint.run.Search(config)
    for tweet in twint.output.tweets_list:
        db.execute("INSERT INTO tweets VALUES (?)", (tweet.tweet,))  # expect: FL102
    db.execute("INSERT INTO config VALUES (?)", (config.Username,))


class Listener(tweepy.StreamingClient):
    def on_tweet(self, tweet):
        db.execute("INSERT INTO tweets VALUES (?)", (tweet.text,))  # expect: FL102


def tweepy_clients(username):
    client = tweepy.Client(bearer_token="token")
    user = client.get_user(username=username).data
    db.execute("INSERT INTO people VALUES (?)", (user.name,))  # expect: FL102
    for follower in tweepy.Paginator(client.get_users_followers, user.id).flatten(limit=100):
        db.execute("INSERT INTO people VALUES (?)", (follower.username,))  # expect: FL102
    api = tweepy.API(tweepy.OAuth2BearerHandler("token"))
    for status in tweepy.Cursor(api.user_timeline, screen_name=username).items(50):
        db.execute("INSERT INTO tweets VALUES (?)", (status.text,))  # expect: FL102
    db.execute("INSERT INTO tweets VALUES (?)", (str(api.get_status(1)),))  # expect: FL102
    me = client.get_me()
    db.execute("INSERT INTO me VALUES (?)", (str(me),))


def facebook(page):
    for post in get_posts(page, pages=2):
        db.execute("INSERT INTO posts VALUES (?)", (post["text"],))  # expect: FL102
    profile = get_profile("zuck")
    db.execute("INSERT INTO people VALUES (?)", (profile["Name"],))  # expect: FL102


def linkedin(public_id):
    api = Linkedin("account@example.com", "password")
    profile = api.get_profile(public_id)
    db.execute("INSERT INTO people VALUES (?)", (profile["firstName"],))  # expect: FL101
    contact = api.get_profile_contact_info(public_id)
    requests.post("https://crm.example.com/leads", json=contact)  # expect: FL103
    for hit in api.search_people(keywords="data engineer"):
        db.execute("INSERT INTO people VALUES (?)", (hit["public_id"],))  # expect: FL101
    db.execute("INSERT INTO lookups VALUES (?)", (public_id,))


def linkedin_search(keywords):
    api = Linkedin("account@example.com", "password")
    results = api.search({"keywords": keywords}, limit=10)
    db.execute("INSERT INTO people VALUES (?)", (str(results),))  # expect: FL101
