"""How the tests read a page's link preview the way social sites do: its Open Graph tags through an outside
parser (extruct), its twitter:* tags, and the card image it names, opened with Pillow; and a local server
of the pictures (avatars, covers) that cards show."""

import io
import socket
import threading
from contextlib import suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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


# --- Pictures the cards show: a local server of avatars and covers ------------------------------------------


def solid_png(colour: tuple[int, int, int], size: tuple[int, int] = (64, 64)) -> bytes:
    """A PNG of one colour, as an avatar or a cover."""
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


class PictureServer:
    """A local HTTP server (loopback, a free port) answering each path with the (status, headers, body)
    given in `answers`; `seen` lists the paths asked for, in order. `url(path)` is a path's address."""

    def __init__(self):
        answers: dict[str, tuple[int, dict[str, str], bytes]] = {}
        seen: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                seen.append(self.path)
                status, headers, body = answers.get(self.path, (404, {"Content-Type": "text/plain"}, b"not here"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()  # no Content-Length unless given: the body ends when the connection does
                with suppress(OSError):  # the client stopped reading (a body past the limit)
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.answers, self.seen = answers, seen
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda request, address: None  # type: ignore[method-assign]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def closed_port_url(path: str) -> str:
    """An address on loopback where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


def pixel(image: Image.Image, at: tuple[int, int]) -> tuple[int, int, int]:
    red, green, blue = image.convert("RGB").getpixel(at)[:3]  # type: ignore[index]
    return red, green, blue


def near(colour: tuple[int, int, int], expected: tuple[int, int, int], tolerance: int = 6) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=True))
