import pytest

from portfolio.accounts.models import User

from .fake_provider import FakeProvider


@pytest.fixture
def fake():
    provider = FakeProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def creator(db):
    return User.objects.create_user(email="casey@example.com", password="orchid-lantern-42", name="Casey Creator")


@pytest.fixture
def other_creator(db):
    return User.objects.create_user(email="robin@example.com", password="orchid-lantern-42", name="Robin Other")
