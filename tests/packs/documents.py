"""Document, key-value and search stores (core: `collection.store`, `collection.cache`, `collection.index`)."""

import boto3
import pymongo
import redis
import sqlite_utils
from django.core.cache import cache
from elasticsearch import Elasticsearch, helpers
from google.cloud import firestore
from motor.motor_asyncio import AsyncIOMotorClient
from opensearchpy import OpenSearch
from pymemcache.client.base import Client as Memcache
from tinydb import TinyDB
from peopledatalabs import PDLPY

pdl = PDLPY(api_key="key")
mongo = pymongo.MongoClient()
r = redis.Redis()


def mongodb(email):
    person = pdl.person.enrichment(email=email).json()
    mongo.crm.people.insert_one(person)  # expect: FL102
    mongo.crm.people.update_one({"email": email}, {"$set": person}, upsert=True)  # expect: FL102
    mongo.crm.people.find_one({"email": email})
    mongo["crm"]["people"].insert_one(person)  # expect: FL102


async def motor_store(email):
    person = pdl.person.enrichment(email=email).json()
    await AsyncIOMotorClient().crm.people.insert_many([person])  # expect: FL102


def key_value(email):
    person = pdl.person.enrichment(email=email).json()
    r.hset("person:" + email, mapping=person)  # expect: FL102
    r.set("person:" + email, str(person))  # expect: FL102
    r.setex("person", 60, str(person))  # expect: FL102
    r.get("person:" + email)
    redis.StrictRedis.from_url("redis://cache").lpush("people", str(person))  # expect: FL102
    Memcache("localhost").set("person", str(person))  # expect: FL102
    cache.set("person", person)  # expect: FL102
    boto3.resource("dynamodb").Table("people").put_item(Item=person)  # expect: FL102
    firestore.Client().collection("people").document(email).set(person)  # expect: FL102


def search(email):
    person = pdl.person.enrichment(email=email).json()
    es = Elasticsearch("http://localhost:9200")
    es.index(index="people", document=person)  # expect: FL102
    es.search(index="people", query={"match": {"email": email}})
    helpers.bulk(es, [person])  # expect: FL102
    OpenSearch().index(index="people", body=person)  # expect: FL102


def file_backed_stores(email):
    person = pdl.person.enrichment(email=email).json()
    people = TinyDB("people.json")
    people.insert(person)  # expect: FL102
    people.table("leads").upsert({"email": email, "title": person["job_title"]}, cond=None)  # expect: FL102
    people.search(cond=None)
    database = sqlite_utils.Database("people.db")
    database["people"].insert(person, pk="id")  # expect: FL102
    database.table("people").upsert_all([person], pk="id")  # expect: FL102
    database["people"].insert({"email": email}, pk="id")
    database.execute("SELECT count(*) FROM people")


def more_file_backed_stores(email):
    person = pdl.person.enrichment(email=email).json()
    people = TinyDB("people.json")
    people.insert_multiple([person])  # expect: FL102
    people.update({"title": person["job_title"]})  # expect: FL102
    people.update_multiple([({"title": person["job_title"]}, None)])  # expect: FL102
    database = sqlite_utils.Database("people.db")
    database["people"].insert_all([person])  # expect: FL102
    database["people"].upsert(person, pk="id")  # expect: FL102
    database["people"].update(1, {"title": person["job_title"]})  # expect: FL102
    database["titles"].lookup({"title": person["job_title"]})  # expect: FL102
    database.execute("INSERT INTO people VALUES (?)", [person["full_name"]])  # expect: FL102
