"""The CRM tables (SQLAlchemy 2.0 declarative models)."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    enriched_at: Mapped[datetime | None]


class ContactProfile(Base):
    __tablename__ = "contact_profiles"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), primary_key=True)
    full_name: Mapped[str | None]
    job_title: Mapped[str | None]
    company: Mapped[str | None]
    mobile_phone: Mapped[str | None]
    linkedin_url: Mapped[str | None]
    location: Mapped[str | None]
