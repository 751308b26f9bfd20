"""Attendees: registering, their private page, limited items, cancelling, erasure.

Every write locks the visit (or item) whose places it consumes before counting, in
one transaction with the insert and the email (see DESIGN.md, capacity rules).

  common         the attendee's details, the window, the private link, the checks
  registering    register(): the hot write, without ORM objects
  own_page       changing details, cancelling, erasing (and anonymise, for organisers)
  limited_items  signing up for and leaving items with a capacity
  lost_link      emailing a lost private link again

Everything is still reached as services.registration.<name>.
"""

from eventsapp.services.registration.common import (
    DUPLICATE_EMAIL,
    AttendeeDetails,
    FormChanged,
    RegistrationClosed,
    Window,
    _apply_details,
    _email_taken,
    new_registration,
    places_left,
    registration_closes_at,
    registration_for_token,
    registration_window,
)
from eventsapp.services.registration.limited_items import (
    LimitedItem,
    SignupOutcome,
    has_limited_items,
    item_title,
    leave,
    limited_items,
    places_by_item,
    sign_up,
)
from eventsapp.services.registration.lost_link import send_all_links, send_visit_link
from eventsapp.services.registration.own_page import (
    _cancel,
    anonymise,
    cancel,
    erase,
    update_details,
)
from eventsapp.services.registration.registering import NewRegistration, Outcome, register

__all__ = [
    "DUPLICATE_EMAIL",
    "AttendeeDetails",
    "FormChanged",
    "LimitedItem",
    "NewRegistration",
    "Outcome",
    "RegistrationClosed",
    "SignupOutcome",
    "Window",
    "_apply_details",
    "_cancel",
    "_email_taken",
    "anonymise",
    "cancel",
    "erase",
    "has_limited_items",
    "item_title",
    "leave",
    "limited_items",
    "new_registration",
    "places_by_item",
    "places_left",
    "register",
    "registration_closes_at",
    "send_all_links",
    "send_visit_link",
    "registration_for_token",
    "registration_window",
    "sign_up",
    "update_details",
]
