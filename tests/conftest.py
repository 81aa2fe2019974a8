import shutil

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations():
    """French and Spanish pages need compiled catalogues: `make` builds them, a bare pytest run does it here."""
    stale = [
        po
        for po in (settings.BASE_DIR / "locale").glob("*/LC_MESSAGES/django.po")
        if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale and shutil.which("msgfmt"):
        call_command("compilemessages", locale=[po.parent.parent.name for po in stale], verbosity=0)
        # Management commands switch translations off; the tests start from the default language.
        translation.deactivate()


@pytest.fixture(autouse=True)
def _default_language():
    """A request in French leaves French active in the thread; the next test starts from the default again."""
    yield
    translation.deactivate()


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
