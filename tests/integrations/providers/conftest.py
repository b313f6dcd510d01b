from tests.integrations.oauth.conftest import creator, fake, other_creator  # noqa: F401
