"""ORMs: objects added to a session, saved models, statements executed (core, `collection.store`)."""

from django.db import models
from flask_sqlalchemy import SQLAlchemy
from instagrapi import Client
from otherapp.models import Customer
from sqlalchemy import create_engine, insert, text
from sqlalchemy.orm import Session, sessionmaker
import peewee

client = Client()
engine = create_engine("postgresql://localhost/crm")
SessionLocal = sessionmaker(bind=engine)
db = SQLAlchemy()


class Person(models.Model):
    name = models.CharField(max_length=100)


class Lead(peewee.Model):
    name = peewee.CharField()


def sqlalchemy_orm(username):
    user = client.user_info_by_username(username)
    with Session(engine) as session:
        session.add(user)  # expect: FL101
        session.add_all([user])  # expect: FL101
        session.commit()
    local = SessionLocal()
    local.merge(user)  # expect: FL101
    local.add({"handle": username})


def annotated(session: Session, username):
    user = client.user_info_by_username(username)
    session.add(user)  # expect: FL101


def sqlalchemy_core(username):
    user = client.user_info_by_username(username)
    with engine.connect() as conn:
        conn.execute(insert(table).values(name=user.full_name))  # expect: FL101
        conn.execute(text("INSERT INTO people VALUES (:n)"), {"n": user.full_name})  # expect: FL101
        conn.execute(text("SELECT 1"))
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO people VALUES (:n)"), {"n": user.username})  # expect: FL101


def flask_sqlalchemy(username):
    user = client.user_info_by_username(username)
    db.session.add(user)  # expect: FL101


def django_models(username):
    user = client.user_info_by_username(username)
    person = Person(name=user.full_name)
    person.save()  # expect: FL101
    Person(name="static").save()
    Customer.objects.create(name=user.full_name)  # expect: FL101
    Person.objects.create(name=user.full_name)  # xfail: FL101
    Person.objects.bulk_create([Person(name=user.full_name)])  # xfail: FL101


def peewee_models(username):
    user = client.user_info_by_username(username)
    Lead(name=user.full_name).save()  # expect: FL101
    Lead.create(name=user.full_name)  # xfail: FL101


table = None


class Profile:
    """A project's own record type: a store into it is no ORM write."""

    name = ""


def unit_of_work(session: Session, username, profile_id):
    user = client.user_info_by_username(username)
    row = session.get(Person, profile_id)
    row.name = user.full_name  # expect: FL101
    row.visits = 1
    found = session.query(Person).filter_by(id=profile_id).first()
    found.name = user.full_name  # expect: FL101
    setattr(found, "bio", user.biography)  # expect: FL101
    for each in session.query(Person).all():
        each.name = user.full_name  # expect: FL101
    session.commit()
    local = Profile()
    local.name = user.full_name
    draft = session.get(Person, profile_id)
    draft.name = "static"


def update_fields(session: Session, username, profile_id, **changes):
    row = session.get(Person, profile_id)
    for name, value in changes.items():
        setattr(row, name, value)  # expect: FL101
    session.commit()


def calls_update(session: Session, username):
    user = client.user_info_by_username(username)
    update_fields(session, username, 1, name=user.full_name, bio=user.biography)
