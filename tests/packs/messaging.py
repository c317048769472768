"""E-mail, queues and third-party services (`disclosure.third_party`)."""

import json
import smtplib
from email.message import EmailMessage

import boto3
import pika
import sentry_sdk
from kafka import KafkaProducer
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
