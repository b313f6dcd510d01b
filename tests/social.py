"""How the tests read a page's link preview the way social sites do: its Open Graph tags through an outside
parser (extruct), its twitter:* tags, and the card image it names, opened with Pillow."""

import io

import extruct
from bs4 import BeautifulSoup
from PIL import Image


def og_images(html: str) -> list[str]:
    """Every og:image of the page, in order (a crawler takes the first)."""
    found = extruct.extract(html, syntaxes=["opengraph"])["opengraph"]
    return [value for block in found for key, value in block["properties"] if key == "og:image"]


def social_tags(html: str) -> dict[str, str]:
    """The page's Open Graph tags as a link-preview crawler reads them (extruct), and its twitter:* tags
    (<meta name=...>, which Open Graph readers leave out) read with BeautifulSoup."""
    found = extruct.extract(html, syntaxes=["opengraph"])["opengraph"]
    tags = dict(found[0]["properties"]) if found else {}
    soup = BeautifulSoup(html, "html.parser")
    tags |= {m["name"]: m["content"] for m in soup.find_all("meta") if m.get("name", "").startswith("twitter:")}
    return tags


def card_image(client, url: str, *, site: str = "http://127.0.0.1:8000") -> Image.Image:
    """Fetches the card at `url` (an address of this site) and opens it."""
    response = client.get(url.removeprefix(site))
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"] == "image/png"
    return Image.open(io.BytesIO(response.content))
