"""Our own 404, 500 and 503 pages: plain words, no traceback, no dependence on the database."""

import pytest
from django.db import OperationalError
from django.urls import reverse

from tests.factories import InterventionFactory

pytestmark = pytest.mark.django_db


def test_an_unknown_address_gets_our_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page
    assert reverse("interventions:list") in page


def test_an_unknown_record_gets_our_404_page(client):
    response = client.get(reverse("interventions:detail", kwargs={"pk": 999999}))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.urls("tests.error_urls")
def test_an_unexpected_failure_gets_our_500_page_without_a_traceback(client):
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    assert "Traceback" not in page
    assert "RuntimeError" not in page


@pytest.mark.urls("tests.error_urls")
def test_the_500_page_renders_without_the_database(client, django_assert_num_queries):
    client.raise_request_exception = False
    with django_assert_num_queries(0):
        client.get("/broken/")


def test_the_503_page_renders_without_the_database(django_assert_num_queries):
    from config.errors import database_unavailable_response

    with django_assert_num_queries(0):
        response = database_unavailable_response()
    assert response.status_code == 503
    assert "temporarily unavailable" in response.content.decode()


def test_a_database_failure_outside_a_view_is_a_503(rf):
    from config.errors import server_error

    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = server_error(rf.get("/"))
    assert response.status_code == 503


def test_error_pages_show_no_records(client):
    InterventionFactory(title="A published statement")
    assert "A published statement" not in client.get("/no-such-page/").content.decode()
