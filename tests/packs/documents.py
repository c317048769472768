"""Document, key-value and search stores (core: `collection.store`, `collection.cache`, `collection.index`)."""

import boto3
import pymongo
import redis
from django.core.cache import cache
from elasticsearch import Elasticsearch, helpers
from google.cloud import firestore
from motor.motor_asyncio import AsyncIOMotorClient
from opensearchpy import OpenSearch
from pymemcache.client.base import Client as Memcache
from peopledatalabs import PDLPY

pdl = PDLPY(api_key="key")
mongo = pymongo.MongoClient()
r = redis.Redis()


def mongodb(email):
    person = pdl.person.enrichment(email=email).json()
    mongo.crm.people.insert_one(person)  # expect: FL102
    mongo.crm.people.update_one({"email": email}, {"$set": person}, upsert=True)  # expect: FL102
    mongo.crm.people.find_one({"email": email})
    mongo["crm"]["people"].insert_one(person)  # xfail: FL102


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
