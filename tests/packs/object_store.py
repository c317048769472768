"""Object stores: S3 (boto3), Google Cloud Storage, Azure Blob, MinIO (`collection.object_store`)."""

import json

import boto3
from azure.storage.blob import BlobServiceClient
from google.cloud import storage
from instagrapi import Client
from minio import Minio

client = Client()


def s3(username):
    user = client.user_info_by_username(username)
    body = json.dumps(user.dict())
    boto3.client("s3").put_object(Bucket="crm", Key=username, Body=body)  # expect: FL101
    s3 = boto3.client("s3")
    s3.upload_fileobj(body, "crm", username)  # expect: FL101
    s3.list_objects_v2(Bucket="crm")
    boto3.resource("s3").Bucket("crm").put_object(Key=username, Body=body)  # expect: FL101
    boto3.resource("s3").Object("crm", username).put(Body=body)  # expect: FL101
    boto3.session.Session().client("s3").put_object(Bucket="crm", Key="k", Body=body)  # expect: FL101


def gcs_and_azure(username):
    user = client.user_info_by_username(username)
    blob = storage.Client().bucket("crm").blob(username)
    blob.upload_from_string(user.biography)  # expect: FL101
    storage.Client().bucket("crm").blob("x").upload_from_string("static")
    service = BlobServiceClient.from_connection_string("...")
    service.get_blob_client(container="crm", blob=username).upload_blob(user.biography)  # expect: FL101
    Minio("minio:9000").put_object("crm", username, user.biography, -1)  # expect: FL101
