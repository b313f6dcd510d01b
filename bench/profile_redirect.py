#!/usr/bin/env python3
"""In-process timing of the short link /l/<code> (counted, and a crawler's), beside /healthz.

Like bench/profile_hot.py: requests go through Django's test client (the whole middleware stack, no HTTP
server), and the wall and CPU time per request are printed. Seeds 50 videos of the platform `prof-video`
with a link each into the configured database (use a throwaway one), with the production settings taken
from the environment:

    DEBUG=false SECRET_KEY=... TOKEN_ENCRYPTION_KEYS=... ALLOWED_HOSTS=127.0.0.1 SANDBOX_ENABLED=false \
    DATABASE_URL=postgres://.../bench_x CACHE_URL=redis://127.0.0.1:6379/12 \
    N=1500 [PROFILE=1] .venv/bin/python bench/profile_redirect.py

PROFILE=1 adds a pyinstrument profile of 500 counted redirects (pyinstrument is not a dependency of the
project: install it in your virtualenv to use it).
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portfolio.settings")
import django

django.setup()
from django.core.cache import cache, caches  # noqa: E402  (after django.setup())
from django.test import Client  # noqa: E402  (after django.setup())

from portfolio.accounts.models import User  # noqa: E402  (after django.setup())
from portfolio.creators.models import CreatorProfile, PortfolioAnchor, Video  # noqa: E402  (after django.setup())

N = int(os.environ.get("N", "1500"))
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
CRAWLER = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"

cache.clear()
caches["clicks"].clear()
Video.objects.filter(platform="prof-video").delete()
User.objects.filter(email="prof-links@example.com").delete()
owner = User.objects.create_user(email="prof-links@example.com", password=None, name="Prof", role="creator")
CreatorProfile.objects.create(user=owner, handle="prof-links")
Video.objects.bulk_create([Video(owner=owner, platform="prof-video", platform_video_id=f"v-{n}") for n in range(50)])
PortfolioAnchor.objects.bulk_create([
    PortfolioAnchor(video=v, code=f"p{n:09d}", target_kind="reelfolio_page", target_url="https://reelfolio.example/@p")
    for n, v in enumerate(Video.objects.filter(owner=owner).order_by("id"))
])
client = Client(HTTP_HOST="127.0.0.1")
link = "/l/p000000007"
assert client.get(link, HTTP_USER_AGENT=BROWSER).status_code == 302


def timed(label, call):
    for _ in range(200):
        call()
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(N):
        call()
    per = (time.perf_counter() - started) / N * 1000
    cpu_per = (time.process_time() - cpu) / N * 1000
    print(f"{label:24s} wall {per:6.3f} ms  cpu {cpu_per:6.3f} ms")
    return per


base = timed("healthz", lambda: client.get("/healthz"))
for label, agent in [("redirect, counted", BROWSER), ("redirect, crawler", CRAWLER)]:
    per = timed(label, lambda agent=agent: client.get(link, HTTP_USER_AGENT=agent))
    print(f"{'':24s} wall ratio to healthz: {base / per:.2f}")

if os.environ.get("PROFILE"):
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0002)
    profiler.start()
    for _ in range(500):
        client.get(link, HTTP_USER_AGENT=BROWSER)
    profiler.stop()
    print(profiler.output_text(unicode=False, color=False, show_all=False))
