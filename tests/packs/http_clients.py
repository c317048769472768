"""HTTP: requests, httpx, aiohttp, urllib, http.client (`disclosure.third_party`)."""

import http.client
import urllib.request

import aiohttp
import httpx
import requests
from instagrapi import Client

client = Client()


def requests_calls(username):
    user = client.user_info_by_username(username)
    requests.post("https://crm.example.com/leads", json={"name": user.full_name})  # expect: FL103
    requests.put(f"https://crm.example.com/leads/{user.pk}")  # expect: FL103
    requests.get("https://crm.example.com/search", params={"q": user.full_name})  # expect: FL103
    requests.get(user.profile_pic_url)
    requests.post("https://crm.example.com/leads", json={"handle": username})
    with requests.Session() as session:
        session.post("https://crm.example.com/leads", data=user.biography)  # expect: FL103
        session.get("https://crm.example.com/leads")


async def async_clients(username):
    user = client.user_info_by_username(username)
    httpx.post("https://crm.example.com/leads", json=user.dict())  # expect: FL103
    with httpx.Client() as sync_client:
        sync_client.patch("https://crm.example.com/leads/1", json=user.dict())  # expect: FL103
    async with httpx.AsyncClient() as async_client:
        await async_client.post("https://crm.example.com/leads", json=user.dict())  # expect: FL103
    async with aiohttp.ClientSession() as session:
        async with session.post("https://crm.example.com/leads", json=user.dict()) as response:  # expect: FL103
            await response.text()


def stdlib(username):
    user = client.user_info_by_username(username)
    urllib.request.urlopen("https://crm.example.com/leads", data=user.biography.encode())  # expect: FL103
    urllib.request.urlopen(user.profile_pic_url)
    connection = http.client.HTTPSConnection("crm.example.com")
    connection.request("POST", "/leads", body=user.biography)  # expect: FL103


async def data_in_the_url(username):
    user = client.user_info_by_username(username)
    requests.get(f"https://people-search.example.com/{user.username}")  # expect: FL103
    requests.get("https://people-search.example.com/find?name=" + user.full_name)  # expect: FL103
    requests.delete("https://crm.example.com/leads/%s" % user.pk)  # expect: FL103
    httpx.Client(base_url="https://api.example.com").get(f"/users/{user.pk}")  # expect: FL103
    async with aiohttp.ClientSession() as session:
        await session.get("https://people-search.example.com/{}".format(user.full_name))  # expect: FL103
    urllib.request.urlopen(f"https://people-search.example.com/{user.username}")  # expect: FL103
    requests.get(f"https://people-search.example.com/{username}")
    requests.get(user.profile_pic_url, timeout=10)
    httpx.get(user.profile_pic_url)
