"""Fieldwork targets (revision 0013): the sample size a coordinator or administrator sets
per campaign (a spec's wave), country and population, so the fleet page can show what has
come in against it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sync_server.store.models import Base
from sync_server.store.types import UtcDateTime


class FieldworkTarget(Base):
    __tablename__ = "fieldwork_targets"
    __table_args__ = (CheckConstraint("target > 0", name="target"),)

    spec_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    wave: Mapped[str] = mapped_column(String(20), primary_key=True)
    country: Mapped[str] = mapped_column(String(100), primary_key=True)
    population: Mapped[str] = mapped_column(String(100), primary_key=True)
    target: Mapped[int] = mapped_column(Integer)
    set_by: Mapped[str] = mapped_column(ForeignKey("users.name"))
    set_at: Mapped[datetime] = mapped_column(UtcDateTime)
