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
import h5py
import numpy as np
import pandas as pd
import openpyxl
import polars as pl
import requests
import torch
import xlsxwriter
from xlsxwriter.worksheet import Worksheet
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


def arrays_frames_and_workbooks(username):
    user = client.user_info_by_username(username)
    np.savez("users.npz", names=np.array([user.full_name]))  # expect: FL101
    np.savez("static.npz", sizes=np.array([1, 2]))
    joblib.dump({"bio": user.biography}, "bio.joblib")  # expect: FL101
    frame = pd.DataFrame([user.dict()])
    frame.to_xml("users.xml")  # expect: FL101
    frame.to_html("users.html")  # expect: FL101
    pl.DataFrame([user.dict()]).write_parquet("users.parquet")  # expect: FL101
    pl.DataFrame({"a": [1]}).write_parquet("static.parquet")
    with h5py.File("users.h5", "w") as store:
        store.create_dataset("names", data=[user.full_name])  # expect: FL101
        store.create_group("profiles").create_dataset("bios", data=[user.biography])  # expect: FL101
        store.create_dataset("sizes", data=[1, 2])
        store["bios"] = [user.biography]  # expect: FL101
        store["sizes"] = [1, 2]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([user.full_name, user.biography])  # expect: FL101
    sheet.append(["name", "bio"])
    sheet.cell(row=2, column=1, value=user.full_name)  # expect: FL101
    sheet["B2"].value = user.biography  # expect: FL101
    sheet["A2"] = user.full_name  # expect: FL101
    sheet.cell(row=3, column=2).value = user.biography  # expect: FL101
    sheet["A1"] = "name"
    book.save("users.xlsx")
    workbook = xlsxwriter.Workbook("users.xlsx")
    worksheet = workbook.add_worksheet()
    worksheet.write(0, 0, user.full_name)  # expect: FL101
    worksheet.write_row(1, 0, [user.username, user.biography])  # expect: FL101
    worksheet.write_row(2, 0, ["name", "bio"])
    workbook.close()


def more_writers(username):
    user = client.user_info_by_username(username)
    frame = pd.DataFrame([user.dict()])
    frame.to_markdown("users.md")  # expect: FL101
    frame.to_latex("users.tex")  # expect: FL101
    people = pl.DataFrame([user.dict()])
    people.write_csv("users.csv")  # expect: FL101
    people.write_json("users.json")  # expect: FL101
    people.write_ndjson("users.ndjson")  # expect: FL101
    people.write_ipc("users.arrow")  # expect: FL101
    people.write_avro("users.avro")  # expect: FL101
    people.write_excel("users.xlsx")  # expect: FL101
    people.write_delta("users-delta")  # expect: FL101
    people.write_database("users", connection="sqlite:///crm.db")  # expect: FL101
    with h5py.File("users.h5", "a") as store:
        dataset = store.create_dataset("ids", shape=(1,), dtype="i8")
        dataset.write_direct(np.array([user.pk]))  # expect: FL101
        store.attrs.create("owner", user.full_name)  # expect: FL101
        store.attrs.modify("owner", user.username)  # expect: FL101
        store.attrs.create("version", 2)
    worksheet = xlsxwriter.Workbook("users.xlsx").add_worksheet()
    worksheet.write_string(0, 0, user.full_name)  # expect: FL101
    worksheet.write_column(0, 1, [user.username])  # expect: FL101
    worksheet.insert_image(0, 2, user.profile_pic_url)  # expect: FL101, FL201
    worksheet.write_string(1, 0, "static")


def pandas_writers(username):
    frame = pd.DataFrame([client.user_info_by_username(username).dict()])
    frame.to_json("users.json")  # expect: FL101
    frame.to_pickle("users.pkl")  # expect: FL101
    frame.to_excel("users.xlsx")  # expect: FL101
    frame.to_feather("users.feather")  # expect: FL101
    frame.to_hdf("users.h5", key="users")  # expect: FL101
    frame.to_orc("users.orc")  # expect: FL101
    frame.to_stata("users.dta")  # expect: FL101
    pd.DataFrame({"size": [1]}).to_json("static.json")


def annotated_worksheet(sheet: Worksheet, username):
    sheet.write(0, 0, client.user_info_by_username(username).full_name)  # expect: FL101
    sheet.write(1, 0, "static")
