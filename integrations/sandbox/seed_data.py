"""What `sandbox_seed()` writes: the sandbox partner's users, their portfolios and their videos.

Kept as plain data so the seed stays readable. Dates are fixed, so the video list is stable between
runs: the first user has three pages of projects (23) and three pages of videos (25).
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

SANDBOX_PASSWORD = "sandbox-demo-2026"

SCOPES = {
    "openid": "Confirm who you are",
    "profile": "Your name, username, profile link and picture",
    "email": "Your email address",
    "offline_access": "Stay connected when you are not using the app",
    "portfolio.read": "Read your freelance profile and portfolio projects",
    "videos.read": "Read your account and list your public videos",
}

CLIENTS = [
    {
        "client_id": "reelfolio-sandbox-freelance",
        "provider_id": "sandbox-freelance",
        "name": "Reelfolio (freelance profile)",
        "scope": "openid profile email offline_access portfolio.read",
    },
    {
        "client_id": "reelfolio-sandbox-video",
        "provider_id": "sandbox-video",
        "name": "Reelfolio (videos)",
        "scope": "openid profile email offline_access videos.read",
    },
]

# The sandbox's pictures are PNGs (drawn with Pillow from the SVGs beside them): link-preview cards show a
# PNG, JPEG, WebP or GIF avatar or cover, never an SVG.
COVERS = [f"sandbox/covers/cover-{n}.png" for n in range(1, 7)]

_PROJECT_TOPICS = [
    "Brand launch reel", "Explainer animation", "Product teaser", "Festival title sequence",
    "Logo sting", "Music video graphics", "App onboarding loop", "Conference opener",
    "Kinetic type poster", "Character walk cycle", "Data story", "Packaging unboxing",
    "Travel vlog edit", "Podcast audiogram", "Lyric video", "Fashion lookbook",
    "Charity appeal", "Game trailer UI", "Recipe short", "Architecture fly-through",
    "Sneaker drop", "Wedding highlight", "Year in review",
]

_VIDEO_TOPICS = [
    "Behind the keyframes", "60-second logo build", "Color grading in 3 steps", "My desk tour",
    "Frame-by-frame breakdown", "Client feedback, honestly", "Typography that moves", "Timelapse: 8h in 40s",
    "Before and after", "Plugin I cannot live without", "How I price a project", "Storyboard to final",
    "Sound design tricks", "Loop it perfectly", "Reacting to my first reel", "Motion path tips",
    "Easing explained", "Client brief challenge", "Render farm on a budget", "Shape layers 101",
    "Mask tricks", "Transition pack", "Day in the life", "Portfolio review", "New year, new reel",
]

_BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)


def _projects(prefix: int, count: int, offset: int) -> list[dict]:
    return [
        {
            "public_id": f"p-{prefix + n}",
            "position": n,
            "title": _PROJECT_TOPICS[(n - 1 + offset) % len(_PROJECT_TOPICS)],
            "description": "A project made for the sandbox partner's demo portfolio.",
            "cover_image": COVERS[(n - 1 + offset) % len(COVERS)],
        }
        for n in range(1, count + 1)
    ]


def _videos(prefix: int, count: int, offset: int) -> list[dict]:
    return [
        {
            "public_id": f"v-{prefix + n}",
            "title": _VIDEO_TOPICS[(n - 1 + offset) % len(_VIDEO_TOPICS)],
            "cover_image": COVERS[(n + offset) % len(COVERS)],
            "duration": 15 + (n * 7 + offset) % 46,
            # v-<prefix+1> is the newest; one video every other day before that.
            "published_at": _BASE_TIME - timedelta(days=2 * (n - 1), hours=offset),
        }
        for n in range(1, count + 1)
    ]


USERS: list[dict[str, Any]] = [
    {
        "username": "casey",
        "name": "Casey Creator",
        "email": "casey@sandbox.reelfolio.test",
        "freelance_id": "sbx-u-1",
        "video_open_id": "sbx-v-1",
        "video_display_name": "casey.moves",
        "headline": "Motion designer",
        "bio": "I turn brand guidelines into motion: logo stings, explainers and launch reels.",
        "skills": ["After Effects", "Illustration", "Cinema 4D"],
        "hourly_rate": Decimal("85.00"),
        "currency": "USD",
        "location": "Lisbon, PT",
        "avatar": "sandbox/avatars/casey.png",
        "description": "23 projects, 25 videos: more than one page of each",
        "projects": _projects(0, 23, 0),
        "videos": _videos(1000, 25, 0),
    },
    {
        "username": "jordan",
        "name": "Jordan Editor",
        "email": "jordan@sandbox.reelfolio.test",
        "freelance_id": "sbx-u-2",
        "video_open_id": "sbx-v-2",
        "video_display_name": "jordan.cuts",
        "headline": "Video editor",
        "bio": "Short-form editing for creators and small brands.",
        "skills": ["Premiere Pro", "DaVinci Resolve"],
        "hourly_rate": Decimal("60.00"),
        "currency": "EUR",
        "location": "Berlin, DE",
        "avatar": "sandbox/avatars/jordan.png",
        "description": "3 projects, 4 videos",
        "projects": _projects(200, 3, 7),
        "videos": _videos(2000, 4, 5),
    },
    {
        "username": "sam",
        "name": "Sam Starter",
        "email": "sam@sandbox.reelfolio.test",
        "freelance_id": "sbx-u-3",
        "video_open_id": "sbx-v-3",
        "video_display_name": "sam.starts",
        "headline": "Illustrator, new here",
        "bio": "",
        "skills": [],
        "hourly_rate": None,
        "currency": "USD",
        "location": "",
        "avatar": "sandbox/avatars/sam.png",
        "description": "no projects and no videos yet",
        "projects": [],
        "videos": [],
    },
    {
        # A company's video account: Reelfolio's demo organization links it from its organization page.
        "username": "northwind",
        "name": "Northwind Studio",
        "email": "studio@sandbox.reelfolio.test",
        "freelance_id": "sbx-u-4",
        "video_open_id": "sbx-v-4",
        "video_display_name": "northwind.studio",
        "headline": "Animation studio",
        "bio": "We make launch films for product teams.",
        "skills": [],
        "hourly_rate": None,
        "currency": "EUR",
        "location": "Berlin, DE",
        "avatar": "",
        "description": "a studio's video account with 3 hiring videos",
        "projects": [],
        "videos": [
            {
                "public_id": f"v-{4000 + n}",
                "title": title,
                "cover_image": COVERS[(n + 2) % len(COVERS)],
                "duration": 30 + 5 * n,
                "published_at": _BASE_TIME - timedelta(days=3 * (n - 1), hours=5),
            }
            for n, title in enumerate(
                ["We're hiring: motion designer", "A day at Northwind", "Meet our animation team"], start=1
            )
        ],
    },
]
