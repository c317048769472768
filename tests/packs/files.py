"""Files: file objects, pathlib, serialisers, csv, numpy, pandas, images, downloads (`collection.file`)."""

import csv
import json
import os
import pickle
import shutil
import urllib.request
from pathlib import Path

import cv2
import joblib
import numpy as np
import pandas as pd
import requests
import torch
from instagrapi import Client
from PIL import Image

client = Client()


def file_objects(username):
    user = client.user_info_by_username(username)
    with open("people.txt", "a") as handle:
        handle.write(user.full_name)  # expect: FL101
        handle.write("static")
    Path("bio.txt").write_text(user.biography)  # expect: FL101
    Path("bio.txt").write_text("static")
    Path("bio.txt").open("w").write(user.biography)  # expect: FL101
    os.write(3, user.biography.encode())  # expect: FL101


def serialisers(username):
    user = client.user_info_by_username(username)
    pickle.dump(user, open("user.pkl", "wb"))  # expect: FL101
    json.dump(user.dict(), open("user.json", "w"))  # expect: FL101
    text = json.dumps(user.dict())
    joblib.dump(user, "user.joblib")  # expect: FL101
    torch.save(user, "user.pt")  # expect: FL101
    writer = csv.writer(open("people.csv", "w"))
    writer.writerow([user.full_name, user.username])  # expect: FL101
    writer.writerow(["name", "handle"])
    rows = csv.DictWriter(open("people.csv", "w"), fieldnames=["name"])
    rows.writerow({"name": user.full_name})  # expect: FL101


def arrays_and_frames(username):
    user = client.user_info_by_username(username)
    np.save("users.npy", np.array([user.pk]))  # expect: FL101
    frame = pd.DataFrame([user.dict()])
    frame.to_csv("users.csv")  # expect: FL101
    frame.to_parquet("users.parquet")  # expect: FL101
    pd.read_csv("other.csv").to_parquet("other.parquet")
    frame.to_sql("users", "sqlite:///crm.db")  # expect: FL101


def images_and_downloads(username):
    user = client.user_info_by_username(username)
    picture = requests.get(user.profile_pic_url).content
    image = Image.open(picture)
    image.save("avatar.png")  # expect: FL101, FL201
    cv2.imwrite("avatar.jpg", cv2.imread(picture))  # expect: FL101, FL201
    urllib.request.urlretrieve(user.profile_pic_url, "avatar.jpg")  # expect: FL101, FL201
    response = requests.get(user.profile_pic_url, stream=True)
    shutil.copyfileobj(response.raw, open("avatar.jpg", "wb"))  # expect: FL101, FL201
