"""The warm short-link redirect, answered before most of the middleware: GET/HEAD /l/<code> of a link the
cache holds, counted in one round trip to Redis.

`warm_redirect` is an early answer (common/early_answers.py, registered in apps.py): it runs right after
the request id, once the door's guard has let the request through (host, HTTPS, uploads, CommonMiddleware's
redirects), and the door adds the headers the skipped middleware would add. Everything else falls through to
the view (`views.link_redirect`), which answers as before: a link the cache does not hold (first visit,
dropped by a change, unknown code), a link that is gone (410) or unknown (404), a cache that is not Redis,
and a cache that is away (the view then reads and counts in the database).

Each web process remembers, for a bounded number of codes, the link's cache entry exactly as Redis holds
it (the bytes) and what it decodes to. A counted click then sends one script that compares the entry
with those bytes and only when they are equal counts the click (clicks.py's `_REDIS_CLICK`, same keys);
when they differ (the link changed, was dropped or expired) it counts nothing, the process forgets the
code and the view answers. So what a process remembers never decides a redirect on its own: the cache
entry, which every change drops at once (cache_entries.py), does. Crawlers, prefetches and HEAD are not
counted: they read the entry (one GET) and are answered from it.

When the `clicks` alias is another Redis than `default` (CLICKS_CACHE_URL), the entry is read first and
the click counted with `services.click_count`, as the view does (two round trips, no middleware).
"""

import logging
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.utils import timezone

from common import cache, rate_limits
from common.cache import CacheAway
from portfolio.creators import click_details, clicks, selectors, services
from portfolio.creators.cache_entries import entry_or_none

logger = logging.getLogger(__name__)

LINK_ALIAS = "default"
# Codes whose cache entry a process remembers (least recently used first out): ~0.5 kB each.
MEMO_MAX = 10_000

# KEYS[1..11] and ARGV[1..7] as in clicks._REDIS_CLICK; KEYS[12] the link's cache entry, ARGV[8] the entry's
# bytes as the process read them. Returns -1 (nothing counted) when the entry is not those bytes any more.
_CHECKED_CLICK = (
    """
local entry = redis.call('GET', KEYS[12])
if entry ~= ARGV[8] then return -1 end
"""
    + clicks._REDIS_CLICK
)
NOT_CURRENT = -1


@dataclass(frozen=True)
class _Known:
    raw: bytes  # the cache entry as Redis holds it
    link: selectors.ResolvedLink


_memo: OrderedDict[str, _Known] = OrderedDict()


def link_response(target_url: str) -> HttpResponse:
    """The short link's 302: never stored by browsers or proxies (a detached link must stop at once), not
    indexed."""
    response = HttpResponseRedirect(target_url)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _same_server(alias: str, other: str) -> bool:
    first, second = settings.CACHES.get(alias, {}), settings.CACHES.get(other, {})
    return first.get("BACKEND") == second.get("BACKEND") and first.get("LOCATION") == second.get("LOCATION")


def warm_redirect(request, code: str) -> HttpResponse | None:
    """The redirect of a live link the cache holds, counted (or not: bots, prefetches, HEAD); None when the
    view must answer."""
    if not selectors.CODE_RE.match(code):
        return None
    handle = cache.redis_handle(LINK_ALIAS)
    if handle is None or cache.redis_handle(clicks.CACHE_ALIAS) is None:
        return None
    user_agent = request.META.get("HTTP_USER_AGENT", "")
    counted = request.method == "GET" and not clicks.is_bot(user_agent) and not clicks.is_prefetch(request)
    one_trip = counted and _same_server(LINK_ALIAS, clicks.CACHE_ALIAS)
    known = _memo.get(code)
    if known is None or not one_trip:
        try:
            raw = cache.call(LINK_ALIAS, lambda _backend: handle.client.get(handle.key(selectors.link_cache_key(code))))
        except CacheAway:
            return None
        known = _remember(code, raw, handle)
        if known is None:
            return None
    else:
        _memo.move_to_end(code)
    if counted:
        try:
            if one_trip:
                if _count_checked(request, code, known, user_agent=user_agent) == NOT_CURRENT:
                    _memo.pop(code, None)
                    return None
            else:
                _count(request, known.link, user_agent=user_agent)
        except CacheAway as away:
            if not away.maybe_applied:
                return None  # nothing counted: the view reads the link and counts the click in the database
            logger.warning("click sent to a cache that did not answer in time: it counts when the cache runs it")
        except Exception:  # a failure to count never costs the visitor the redirect
            logger.exception("click not counted")
    return link_response(known.link.target_url)


def _remember(code: str, raw: bytes | str | None, handle: cache.RedisHandle) -> _Known | None:
    """The live link that the entry `raw` holds (remembered for the code), or None (and forgotten)."""
    known = _memo.get(code)
    if known is not None and known.raw == raw:
        return known
    _memo.pop(code, None)
    if not isinstance(raw, bytes):  # none there (the client answers bytes: it does not decode)
        return None
    value = entry_or_none(handle.loads(raw))
    # An unknown code ({}) or an entry cached before links named their creator: the view answers.
    if not isinstance(value, dict) or "creator_id" not in value:
        return None
    try:
        link = selectors.ResolvedLink(**value)
    except TypeError:  # an entry of another shape: the view reads the link again
        return None
    if link.gone:
        return None
    known = _memo[code] = _Known(raw=raw, link=link)
    if len(_memo) > MEMO_MAX:
        _memo.popitem(last=False)
    return known


def _details(request, *, address: str, user_agent: str) -> clicks.ClickDetails:
    return clicks.ClickDetails(
        referrer=click_details.referrer_domain(request.META.get("HTTP_REFERER", "")),
        device=click_details.device_class(user_agent),
        country=click_details.country_code(address),
    )


def _count_checked(request, code: str, known: _Known, *, user_agent: str) -> int:
    """Counts the click in the same script that checks the link's entry; NOT_CURRENT when it did not."""
    link = known.link
    day_str = timezone.now().date().isoformat()
    address = rate_limits.client_address(request)
    details = _details(request, address=address, user_agent=user_agent)
    keys, args = clicks.redis_click_keys_and_args(
        anchor_id=link.anchor_id, creator_id=link.creator_id, day_str=day_str,
        digest=clicks.visitor_hash(day=day_str, anchor_id=link.anchor_id, address=address, user_agent=user_agent),
        creator_digest=clicks.creator_visitor_hash(
            day=day_str, creator_id=link.creator_id, address=address, user_agent=user_agent
        ),
        members=details.members(),
    )
    links = cache.redis_handle(LINK_ALIAS)
    assert links is not None  # noqa: S101 - warm_redirect checked it
    return int(
        cache.run_script(
            clicks.CACHE_ALIAS, "short_link_click", _CHECKED_CLICK, keys=keys, args=[*args, known.raw],
            made_keys=[links.key(selectors.link_cache_key(code))],
        )
    )


def _count(request, link: selectors.ResolvedLink, *, user_agent: str) -> None:
    """The click counted as the view counts it (the `clicks` alias is another server than the link's)."""
    services.click_count(
        anchor_id=link.anchor_id, creator_id=link.creator_id, day=timezone.now().date(),
        address=rate_limits.client_address(request), user_agent=user_agent,
        referer=request.META.get("HTTP_REFERER", ""),
    )
