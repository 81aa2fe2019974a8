import pytest


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
