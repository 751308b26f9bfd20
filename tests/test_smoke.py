from tests.support import make_item, make_visit


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_item_times_round_trip_as_utc(app, organiser):
    visit = make_visit(organisers=[organiser])
    item = make_item(visit, "09:30", "10:00")
    assert item.starts_at.tzinfo is not None
