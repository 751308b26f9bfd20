"""Tours, the visits on them in order, travel legs, and tour registrations."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsapp.agenda.models import new_uid
from eventsapp.dbtypes import str_enum, utcnow
from eventsapp.extensions import db

if TYPE_CHECKING:
    from eventsapp.organisations.models import Organisation
    from eventsapp.registration.models import Registration
    from eventsapp.visits.models import Visit


class Tour(db.Model):
    """A series of visits by different hosts, convened by one organisation."""

    __tablename__ = "tours"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    # The convenor; None only for tours made before convenors existed.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    summary: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Registering for several visits: refuse them all when one has no place.
    all_or_nothing: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(default=utcnow, onupdate=utcnow)

    # Kept in step with the tour's live stops (rules.stops): "the tour of this visit".
    visits: Mapped[list[Visit]] = relationship(back_populates="tour")
    organisation: Mapped[Organisation | None] = relationship()
    stops: Mapped[list[TourStop]] = relationship(
        back_populates="tour", cascade="all, delete-orphan",
        order_by="(TourStop.position, TourStop.id)")
    legs: Mapped[list[TravelLeg]] = relationship(
        back_populates="tour", cascade="all, delete-orphan",
        order_by="(TravelLeg.departs_at, TravelLeg.id)")

    @property
    def live_stops(self) -> list[TourStop]:
        return [s for s in self.stops if s.removed_at is None]

    @property
    def live_legs(self) -> list[TravelLeg]:
        return [leg for leg in self.legs if leg.deleted_at is None]

    def __repr__(self) -> str:
        return f"<Tour {self.slug}>"


class TourStop(db.Model):
    """One visit on a tour, at its place in the order. A removed visit keeps its row
    (removed_at) so that the tour's feeds can cancel its events in subscribed calendars."""

    __tablename__ = "tour_stops"
    __table_args__ = (
        # A visit is on at most one tour at a time.
        Index("uq_tour_stops_live_visit", "visit_id", unique=True,
              sqlite_where=text("removed_at IS NULL"),
              postgresql_where=text("removed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id", ondelete="CASCADE"), index=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    removed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tour: Mapped[Tour] = relationship(back_populates="stops")
    visit: Mapped[Visit] = relationship()


class TravelMode(enum.StrEnum):
    RAIL = "rail"
    COACH = "coach"
    CAR = "car"
    AIR = "air"
    WALK = "walk"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"rail": "Rail", "coach": "Coach", "car": "Car", "air": "Flight",
                "walk": "On foot", "other": "Other"}[self.value]


class TravelLeg(db.Model):
    """Travel between two cities of a tour. A deleted leg stays as a tombstone
    (deleted_at) so that subscribed calendars drop it."""

    __tablename__ = "travel_legs"

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id", ondelete="CASCADE"), index=True)
    uid: Mapped[str] = mapped_column(String(255), unique=True, default=new_uid)
    sequence: Mapped[int] = mapped_column(default=0)
    mode: Mapped[TravelMode] = mapped_column(str_enum(TravelMode))
    # The visits at either end (for the passenger list); None for a leg from home.
    from_visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("visits.id", ondelete="SET NULL"))
    to_visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id", ondelete="SET NULL"))
    departs_from: Mapped[str] = mapped_column(String(200))
    departs_at: Mapped[datetime]
    arrives_at_place: Mapped[str] = mapped_column(String(200))
    arrives_at: Mapped[datetime]
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    notes: Mapped[str] = mapped_column(Text, default="")
    # Seats on a booked coach (None: not a booked coach, no limit shown).
    seats: Mapped[int | None]
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    tour: Mapped[Tour] = relationship(back_populates="legs")
    from_visit: Mapped[Visit | None] = relationship(foreign_keys=[from_visit_id])
    to_visit: Mapped[Visit | None] = relationship(foreign_keys=[to_visit_id])

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def title(self) -> str:
        return f"{self.mode.label}: {self.departs_from} to {self.arrives_at_place}"


class TourRegistrationStatus(enum.StrEnum):
    LIVE = "live"
    CANCELLED = "cancelled"


# The legs a tour delegate ticked (travelling with the group on that leg).
tour_leg_choices = Table(
    "tour_leg_choices",
    db.metadata,
    Column("tour_registration_id", ForeignKey("tour_registrations.id", ondelete="CASCADE"),
           primary_key=True),
    Column("leg_id", ForeignKey("travel_legs.id", ondelete="CASCADE"), primary_key=True),
)


class TourRegistration(db.Model):
    """One delegate on a tour: one private link and one feed for every visit they
    joined (each a Registration of that visit) and the legs they travel."""

    __tablename__ = "tour_registrations"
    __table_args__ = (
        Index("uq_tour_registrations_live_email", "tour_id", "email_key", unique=True,
              sqlite_where=text("status != 'cancelled'"),
              postgresql_where=text("status != 'cancelled'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id", ondelete="CASCADE"), index=True)
    status: Mapped[TourRegistrationStatus] = mapped_column(
        str_enum(TourRegistrationStatus), default=TourRegistrationStatus.LIVE)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    email_key: Mapped[str] = mapped_column(String(254))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    dietary: Mapped[str] = mapped_column(String(500), default="")
    access_needs: Mapped[str] = mapped_column(String(1000), default="")
    token_nonce: Mapped[str] = mapped_column(String(64))
    manage_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    feed_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Raised by each change the delegate's feed shows (a visit or leg joined or left).
    feed_sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    tour: Mapped[Tour] = relationship()
    registrations: Mapped[list[Registration]] = relationship(
        order_by="Registration.visit_id", viewonly=True)
    legs: Mapped[list[TravelLeg]] = relationship(secondary=tour_leg_choices,
                                                 order_by="TravelLeg.departs_at")

    @property
    def is_live(self) -> bool:
        return self.status is TourRegistrationStatus.LIVE
