"""E-mail, queues and third-party services (`disclosure.third_party`)."""

import json
import smtplib
from email.message import EmailMessage

import anthropic
import boto3
import cohere
import openai
from google import genai as google_genai
from mistralai import Mistral
import pika
import sentry_sdk
from kafka import KafkaProducer
from openai import OpenAI
import google.generativeai as genai
from instagrapi import Client

client = Client()


def email(username):
    user = client.user_info_by_username(username)
    message = EmailMessage()
    message["Subject"] = "New lead"
    message.set_content(f"{user.full_name}: {user.biography}")
    with smtplib.SMTP("mail.example.com") as smtp:
        smtp.send_message(message)  # expect: FL103
        smtp.sendmail("crm@example.com", ["sales@example.com"], user.biography)  # expect: FL103
    quiet = EmailMessage()
    quiet.set_content("A lead was imported.")
    with smtplib.SMTP("mail.example.com") as smtp:
        smtp.send_message(quiet)


def queues(username):
    user = client.user_info_by_username(username)
    KafkaProducer(bootstrap_servers="kafka").send("leads", json.dumps(user.dict()).encode())  # expect: FL103
    channel = pika.BlockingConnection(pika.ConnectionParameters("rabbit")).channel()
    channel.basic_publish(exchange="", routing_key="leads", body=user.biography)  # expect: FL103
    channel.basic_publish(exchange="", routing_key="leads", body="ping")
    boto3.client("sqs").send_message(QueueUrl="q", MessageBody=user.biography)  # expect: FL103


def error_tracking(username):
    user = client.user_info_by_username(username)
    sentry_sdk.set_user({"username": user.username})  # expect: FL103


def language_models(username):
    user = client.user_info_by_username(username)
    llm = OpenAI()
    llm.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": f"Summarise: {user.biography}"}])  # expect: FL103
    llm.responses.create(model="gpt-4o", input=user.biography)  # expect: FL103
    llm.embeddings.create(model="text-embedding-3-small", input=[user.full_name])  # expect: FL103
    llm.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "Say hello"}])
    llm.models.list()
    claude = anthropic.Anthropic()
    claude.messages.create(model="claude", max_tokens=100, messages=[{"role": "user", "content": user.biography}])  # expect: FL103
    claude.messages.create(model="claude", max_tokens=100, messages=[{"role": "user", "content": "hello"}])
    genai.GenerativeModel("gemini").generate_content(f"Who is {user.full_name}?")  # expect: FL103


def more_language_models(username):
    user = client.user_info_by_username(username)
    openai.ChatCompletion.create(model="gpt-4", messages=[{"role": "user", "content": user.biography}])  # expect: FL103
    openai.Completion.create(model="davinci", prompt=user.biography)  # expect: FL103
    openai.Embedding.create(model="ada", input=user.full_name)  # expect: FL103
    OpenAI().completions.create(model="gpt-3.5-turbo-instruct", prompt=user.biography)  # expect: FL103
    with anthropic.Anthropic().messages.stream(model="claude", max_tokens=10, messages=[{"role": "user", "content": user.biography}]) as stream:  # expect: FL103
        stream.get_final_message()
    google_genai.Client().models.generate_content(model="gemini", contents=user.biography)  # expect: FL103
    cohere.Client("key").chat(message=user.biography)  # expect: FL103
    cohere.ClientV2("key").embed(texts=[user.full_name], model="embed")  # expect: FL103
    Mistral(api_key="key").chat.complete(model="mistral", messages=[{"role": "user", "content": user.biography}])  # expect: FL103
    Mistral(api_key="key").models.list()
