#!/usr/bin/env python3
"""In-process timing and profile of the partner API's warm lookup, beside /healthz (same middleware).

Sends requests through Django's test client (the whole middleware stack, no HTTP server), so it measures
the Python cost of a request: wall time, and the process's CPU time, which a busy shared machine
disturbs less. Seeds 200 videos of the platform `prof-video` and a partner into the configured database
(use a throwaway one), with the production settings taken from the environment:

    DEBUG=false SECRET_KEY=... TOKEN_ENCRYPTION_KEYS=... ALLOWED_HOSTS=127.0.0.1 SANDBOX_ENABLED=false \
    DATABASE_URL=postgres://.../bench_x CACHE_URL=redis://127.0.0.1:6379/12 PARTNER_API_RATE=100000000/min \
    N=1000 [PROFILE=1|100] .venv/bin/python bench/profile_hot.py

PROFILE=1 (or 100) adds a pyinstrument profile of 300 warm lookups of 1 (or 100) ids; pyinstrument is
not a dependency of the project: install it in your virtualenv to use it.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portfolio.settings")
import django

django.setup()
from django.core.cache import cache  # noqa: E402  (after django.setup())
from django.test import Client  # noqa: E402  (after django.setup())

from integrations.partners.services import partner_create  # noqa: E402  (after django.setup())
from portfolio.accounts.models import User  # noqa: E402  (after django.setup())
from portfolio.creators.models import PortfolioAnchor, Video  # noqa: E402  (after django.setup())

N = int(os.environ.get("N", "2000"))
cache.clear()
Video.objects.filter(platform="prof-video").delete()
User.objects.filter(email="prof@example.com").delete()
owner = User.objects.create_user(email="prof@example.com", password=None, name="Prof", role="creator")
Video.objects.bulk_create([Video(owner=owner, platform="prof-video", platform_video_id=f"v-{n}") for n in range(200)])
videos = list(Video.objects.filter(owner=owner).order_by("id"))
PortfolioAnchor.objects.bulk_create([
    PortfolioAnchor(video=v, code=f"p{n:09d}", target_kind="reelfolio_page", target_url="https://reelfolio.example/@p")
    for n, v in enumerate(videos) if n % 10
])
key = partner_create(name=f"Prof Partner {time.time()}").key
client = Client(HTTP_HOST="127.0.0.1")
auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
one = "/api/v1/anchors/?platform=prof-video&video_id=v-7"
hundred = "/api/v1/anchors/?platform=prof-video&" + "&".join(f"video_id=v-{n}" for n in range(100))
for path in (one, hundred):
    assert client.get(path, **auth).status_code == 200
etag = client.get(one, **auth)["ETag"]
etag_hundred = client.get(hundred, **auth)["ETag"]


def timed(label, call):
    for _ in range(200):
        call()
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(N):
        call()
    per = (time.perf_counter() - started) / N * 1000
    cpu_per = (time.process_time() - cpu) / N * 1000
    print(f"{label:32s} wall {per:6.3f} ms  cpu {cpu_per:6.3f} ms")
    return cpu_per


base = timed("healthz", lambda: client.get("/healthz"))
for label, call in [
    ("anchors 1 id warm", lambda: client.get(one, **auth)),
    ("anchors 100 ids warm", lambda: client.get(hundred, **auth)),
    ("anchors 1 id 304", lambda: client.get(one, HTTP_IF_NONE_MATCH=etag, **auth)),
    ("anchors 100 ids 304", lambda: client.get(hundred, HTTP_IF_NONE_MATCH=etag_hundred, **auth)),
]:
    per = timed(label, call)
    print(f"{'':32s} cpu ratio to healthz: {base / per:.2f}")

if os.environ.get("PROFILE"):
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0002)
    profiler.start()
    for _ in range(300):
        client.get(hundred if os.environ.get("PROFILE") == "100" else one, **auth)
    profiler.stop()
    print(profiler.output_text(unicode=False, color=False, show_all=False))
