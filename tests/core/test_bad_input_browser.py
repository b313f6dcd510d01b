"""The page a form or an address with a NUL character gets: a 400 that says which field, and what to do."""

import pytest

from tests import screenshots
from tests.accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

shoot = screenshots.shooter("bad-input", fits=True)


def test_a_nul_character_in_a_parameter_gets_a_page_that_names_it(page, live_server):
    response = page.goto("/accounts/login/?next=%2Fjobs%2F%00")
    assert response.status == 400
    alert = page.get_by_role("alert")
    assert alert.inner_text() == "“next” contains a NUL character (U+0000), which cannot be stored: remove it."
    assert page.get_by_text("Nothing was changed.").is_visible()
    assert_accessible(page, name="bad-input")
    shoot(page, "nul-in-a-parameter")
