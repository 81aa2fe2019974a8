import shutil

import pytest
from django.conf import settings
from django.core.management import call_command
from django.http import HttpRequest
from django.test import Client
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


def _member_of(group_name):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    # The groups come from a data migration, as on a real installation.
    user = UserFactory(username=f"{group_name.lower()}-member", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def _logged_in(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor(db):
    return _member_of("Editor")


@pytest.fixture
def contributor(db):
    return _member_of("Contributor")


@pytest.fixture
def viewer(db):
    return _member_of("Viewer")


@pytest.fixture
def editor_client(editor):
    return _logged_in(editor)


@pytest.fixture
def contributor_client(contributor):
    return _logged_in(contributor)


@pytest.fixture
def viewer_client(viewer):
    return _logged_in(viewer)
