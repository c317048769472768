"""SQL drivers: the statement and its parameters are stored (core pack, `collection.store`)."""

import sqlite3

import asyncpg
import databases
import MySQLdb
import mysql.connector
import postgresql
import postgresql.driver
import psycopg
import psycopg2
import psycopg2.extras
import pymysql
from instagrapi import Client
from peopledatalabs import PDLPY

client = Client()
pdl = PDLPY(api_key="key")


def sqlite(username):
    user = client.user_info_by_username(username)
    db = sqlite3.connect("app.db")
    db.execute("INSERT INTO people VALUES (?)", (user.full_name,))  # expect: FL101
    db.cursor().executemany("INSERT INTO people VALUES (?)", [(user.full_name,)])  # expect: FL101
    db.executescript(f"INSERT INTO people VALUES ('{user.full_name}')")  # expect: FL101
    db.execute("INSERT INTO people VALUES (?)", (username,))
    db.execute("SELECT count(*) FROM people")


def postgres(email):
    person = pdl.person.enrichment(email=email).json()
    conn = psycopg2.connect("dbname=crm")
    with conn.cursor() as cur:
        cur.execute("INSERT INTO people (name) VALUES (%s)", (person["full_name"],))  # expect: FL102
        cur.execute("INSERT INTO people (name) VALUES (%s)", (email,))
    cur = conn.cursor()
    psycopg2.extras.execute_values(cur, "INSERT INTO people VALUES %s", [person])  # expect: FL102
    psycopg.connect("dbname=crm").execute("INSERT INTO people VALUES (%s)", [person])  # expect: FL102
    with psycopg.connect("dbname=crm") as conn3:
        conn3.cursor().execute("INSERT INTO people VALUES (%s)", [person])  # expect: FL102


async def asyncpg_store(email):
    person = pdl.person.enrichment(email=email).json()
    conn = await asyncpg.connect("postgresql://localhost/crm")
    await conn.execute("INSERT INTO people VALUES ($1)", person)  # expect: FL102
    database = databases.Database("postgresql://localhost/crm")
    await database.execute(query="INSERT INTO people VALUES (:p)", values={"p": person})  # expect: FL102


def mysql_drivers(username):
    user = client.user_info_by_username(username)
    pymysql.connect(host="db").cursor().execute("INSERT INTO people VALUES (%s)", (user.username,))  # expect: FL101
    mysql.connector.connect(host="db").cursor().execute("INSERT INTO people VALUES (%s)", (user.pk,))  # expect: FL101
    MySQLdb.connect(host="db").cursor().execute("INSERT INTO people VALUES (%s)", (user.pk,))  # expect: FL101
    mysql.connector.connect(host="db").cursor().execute("SELECT 1")


def py_postgresql(email):
    person = pdl.person.enrichment(email=email).json()
    db = postgresql.open("pq://user@localhost/crm")
    db.execute(f"INSERT INTO people VALUES ('{person['full_name']}')")  # expect: FL102
    insert = db.prepare("INSERT INTO people (name, title) VALUES ($1, $2)")
    insert(person["full_name"], person["job_title"])  # expect: FL102
    insert.load_rows([(person["full_name"], person["job_title"])])  # expect: FL102
    db.query("SELECT count(*) FROM people")
    insert("static", "static")


def py_postgresql_connect(email):
    person = pdl.person.enrichment(email=email).json()
    connection = postgresql.driver.connect(user="crm", host="localhost", database="crm")
    connection.execute(f"INSERT INTO people VALUES ('{person['full_name']}')")  # expect: FL102
    statement = connection.prepare("INSERT INTO people VALUES ($1)")
    statement(person["full_name"])  # expect: FL102
    statement.first(person["full_name"])  # expect: FL102
    db = postgresql.open("pq://user@localhost/crm")
    db.query(f"INSERT INTO people VALUES ('{person['full_name']}') RETURNING id")  # expect: FL102
