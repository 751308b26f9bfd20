"""The showcase tests' world: a published summer visit and two member businesses."""

from __future__ import annotations

from datetime import timedelta

import pytest

from eventsapp.visits.models import VisitStatus
from tests.support import SUMMER, make_business, make_member, make_visit


@pytest.fixture
def visit(organiser):
    return make_visit(organisers=[organiser], slug="cic-stoke", start_date=SUMMER,
                      end_date=SUMMER + timedelta(days=1), status=VisitStatus.PUBLISHED)


@pytest.fixture
def clayworks(app):
    return make_business(name="Clayworks Studio")


@pytest.fixture
def pixel(app):
    return make_business(name="Pixel Mill")


@pytest.fixture
def mina(clayworks):
    return make_member(clayworks, email="mina@clayworks.example", name="Mina Maker")
