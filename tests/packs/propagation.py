"""The standard library without propagators: the default model (arguments and receiver reach the
result; mutating methods fill their receiver) keeps the data through json, base64, io, os.path,
urllib.parse, copy, itertools, functools, hashlib and str methods; core's propagators move it
where the default does not (into an e-mail message, a copied stream)."""

import base64
import copy
import functools
import hashlib
import io
import itertools
import json
import os.path
import shutil
import sqlite3
import urllib.parse
from email.message import EmailMessage

from instagrapi import Client

client = Client()
db = sqlite3.connect("crm.db")
SQL = "INSERT INTO t VALUES (?)"


def standard_library(username):
    name = client.user_info_by_username(username).full_name
    db.execute(SQL, (json.loads(json.dumps({"name": name})),))  # expect: FL101
    db.execute(SQL, (base64.b64encode(name.encode()).decode(),))  # expect: FL101
    buffer = io.StringIO()
    buffer.write(name)
    db.execute(SQL, (buffer.getvalue(),))  # expect: FL101
    db.execute(SQL, (os.path.join("/data", name + ".json"),))  # expect: FL101
    db.execute(SQL, (urllib.parse.urlencode({"q": name}),))  # expect: FL101
    db.execute(SQL, (copy.deepcopy([name]),))  # expect: FL101
    db.execute(SQL, (list(itertools.chain([name], ["x"])),))  # expect: FL101
    db.execute(SQL, (functools.reduce(lambda a, b: a + b, [name, "x"]),))  # expect: FL101
    # pseudonymised data is still personal data: hashing does not clear it
    db.execute(SQL, (hashlib.sha256(name.encode()).hexdigest(),))  # expect: FL101
    db.execute(SQL, (", ".join([name, "x"]).upper(),))  # expect: FL101


def moved_elsewhere(username):
    bio = client.user_info_by_username(username).biography
    message = EmailMessage()
    message.set_content(bio)
    db.execute(SQL, (message.as_string(),))  # expect: FL101
    source = io.BytesIO(bio.encode())
    target = io.BytesIO()
    # a file sink by name, whatever the destination stream is
    shutil.copyfileobj(source, target)  # expect: FL101
    db.execute(SQL, (target.getvalue(),))  # expect: FL101


def nothing_personal(username):
    db.execute(SQL, (json.dumps({"handle": username}),))
    db.execute(SQL, (len(client.user_info_by_username(username).full_name),))
    quiet = EmailMessage()
    quiet.set_content("static")
    db.execute(SQL, (quiet.as_string(),))
