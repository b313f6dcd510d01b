"""The creator sets their name and bio and arranges their projects in a real browser, with the keyboard
only for the projects; the public page follows. Screenshots at 390 and 1280 px go to test-results/."""


import pytest
from playwright.sync_api import expect

from tests import screenshots
from tests.creators.conftest import CASEY_PROFILE, PASSWORD, link_account, make_creator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


shoot = screenshots.shooter("creators-profile", leave_at="desktop")


def test_a_creator_renames_their_page_and_reorders_projects_with_the_keyboard(page, live_server):
    creator = make_creator("casey@example.com", "Casey Creator")
    link_account(creator, provider_id="sandbox-freelance", role="portfolio", subject="sbx-u-1", profile=CASEY_PROFILE)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(creator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Public page").click()
    shoot(page, "handle")
    page.get_by_role("link", name="Name, bio and avatar").click()
    expect(page.get_by_text("Leave it empty to use “Casey Creator”, your name on Sandbox Freelance.")).to_be_visible()
    shoot(page, "identity-form")
    page.get_by_label("Display name").fill("Casey Rivera")
    page.get_by_label("Short bio").fill("Logos that move, explainers that land.")
    page.get_by_label("Avatar image address").fill("http://images.example/casey.png")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The avatar must be an https:// address")).to_be_visible()
    shoot(page, "identity-error")
    page.get_by_label("Avatar image address").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Your public page shows your new name, bio and avatar.")

    page.get_by_role("link", name="Projects shown").click()
    shoot(page, "projects")
    # Keyboard only: Tab to "Move “Brand reel” down" and press Enter; the focus comes back to that button.
    down = page.get_by_role("button", name="Move “Brand reel” down")
    for _ in range(40):
        page.keyboard.press("Tab")
        if down.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the Down button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/creator/projects/?moved=*")
    expect(page.locator(".project-order li").first).to_contain_text("Explainer")
    assert page.get_by_role("button", name="Move “Brand reel” down").is_disabled()
    # Brand reel is last now, its Down button disabled: the focus is on its Up button.
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused == "Move “Brand reel” up"
    page.keyboard.press("Shift+Tab")  # to its checkbox
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Your public page shows these projects in this order.")
    shoot(page, "projects-saved")
    expect(page.get_by_role("checkbox", name="Show Brand reel")).not_to_be_checked()
    expect(page.get_by_role("checkbox", name="Show Explainer")).to_be_checked()

    page.goto(f"/@{creator.creator_profile.handle}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Casey Rivera")
    expect(page).to_have_title("Casey Rivera (@casey-creator) · Reelfolio")
    expect(page.get_by_text("Logos that move, explainers that land.")).to_be_visible()
    expect(page.locator(".project-tile")).to_have_count(1)
    expect(page.locator(".project-tile")).to_contain_text("Explainer")
    shoot(page, "public-page")
