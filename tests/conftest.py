import pytest
from django.http import HttpRequest
from django.test import Client


class ArchiveClient(Client):
    def login(self, **credentials):
        # django-axes counts failed logins per request, and the test client's login() has none to give.
        request = HttpRequest()
        request.META["REMOTE_ADDR"] = "127.0.0.1"
        credentials.setdefault("request", request)
        return super().login(**credentials)


@pytest.fixture
def client():
    """pytest-django's client, whose login() also works with django-axes."""
    return ArchiveClient()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Hashing with PBKDF2 makes every login in the admin tests take a quarter second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def curator(db):
    """A superuser, as the archive's first editor would be."""
    from tests.factories import UserFactory

    return UserFactory(username="editor", is_staff=True, is_superuser=True)


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client
