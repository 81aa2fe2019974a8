"""schemathesis: requests generated from the OpenAPI schema get no server error and answers that match the schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import reverse
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import (
    HearingFactory,
    InterventionFactory,
    OrganisationFactory,
    RecordingFactory,
    SessionFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

# Not negative_data_rejection: like the list page, the API ignores a malformed `page_size` rather than refusing it.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

# In process, through Django's WSGI application: no server, no network. Serving the schema reads no table.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # Django's WSGI handler closes the database connection after each request, which would end the test's
    # transaction on PostgreSQL; the test client does the same as this.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def archive(settings, _keep_the_test_connection):
    # The anonymous rate limit would turn the generated requests into 429s halfway through.
    settings.API_ANON_RATE = "100000/minute"
    hearing = HearingFactory(slug="hearing")
    session = SessionFactory(hearing=hearing)
    RecordingFactory(session=session)
    broad = ThemeFactory(slug="broad")
    theme = ThemeFactory(slug="theme", parent=broad)
    network = OrganisationFactory(slug="network")
    organisation = OrganisationFactory(slug="organisation", parent=network)
    InterventionFactory(
        hearing=hearing, session=session, order=1, organisation=organisation, on_behalf_of=[network], themes=[theme]
    )


@schema.parametrize()
@settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_the_api_answers_every_generated_request_as_its_schema_says(case):
    case.call_and_validate(checks=CHECKS)


@pytest.mark.parametrize("address", ["hearings/1.5/", "interventions/x/y/", "nothing-here/"])
def test_an_unknown_api_address_gets_a_json_404(client, address):
    response = client.get(f"{reverse('api:api-root')}{address}")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_the_schema_documents_the_error_answers():
    operation = schema["/api/v1/interventions/"]["GET"].definition.raw
    assert {"200", "400", "404", "429"} <= set(operation["responses"])
    # A refused filter and a NUL in the query string are both answered as {"parameter": ["message"]}.
    assert set(operation["responses"]["400"]["content"]) == {"application/json"}
