"""Click counting for the short links /l/<code>: increments in the cache, folded into LinkClickDaily.

The redirect never writes to the database. Each counted click does, in the cache alias `clicks`:

- `clicks:v1:t:<day>:<anchor>`  +1 (all clicks of that link that day),
- `clicks:v1:s:<day>:<anchor>:<visitor hash>` added once per visitor; the first time it is added,
- `clicks:v1:u:<day>:<anchor>`  +1 (unique visitors);
- `clicks:v1:cs:<day>:<creator>:<visitor hash>` added once per visitor of any of the creator's links;
  the first time, `clicks:v1:cu:<day>:<creator>` +1 (unique visitors of all the creator's links);
- `clicks:v1:b:<day>:<anchor>:<digest of member>` +1 for each of the click's three breakdown members,
  `referrer|<domain>`, `device|<class>` and `country|<code>` (click_details.py), each member recorded in
  the day's registry of the link so that the fold knows which counters to read.

The visitor hash is a BLAKE2 digest of the day's random salt, the link and the visitor's address and
user agent. The salt lives only in the cache and expires with the day's keys, so the hashes cannot be
turned back into addresses afterwards; no address is stored anywhere.

On Redis the counted click of a warm link is this same script run after a check of the link's cache entry,
in one round trip (short_links.py), with the same keys and arguments (`redis_click_keys_and_args`).

`clicks_fold` (services.py, on beat every minute) reads each counter, adds the value to the day's row
and subtracts the same value from the counter. On Redis the click also adds the link to the day's set
`clicks:v1:clicked:<day>`, so the fold reads the counters of the links clicked lately only; on other
caches it reads those of every live link. Clicks that arrive meanwhile stay in the counter for the
next fold, so database row + counter is always the exact number of clicks. The breakdown counters fold
into LinkClickBreakdownDaily and the creator-wide unique visitors into CreatorVisitorsDaily the same way.
The registry of a link's breakdown members is a Redis set (`clicks:v1:bv:<day>:<anchor>`) on Redis; on
other caches a numbered list (`bn` its length, `bs` its slots, `bm` a marker per member) that a member
joins once, after its first counter; a member whose slot is not written yet waits for the next fold.

While the cache is away (common/cache.py), `click_record` raises CacheAway and the click is added
to the day's row at once instead (services/click_counts.py), so row + counter stays exact through an
outage, the breakdowns and the creator's unique visitors with it. Unique visitors are then told apart
within each web process only (`outage_first_visit`): a visitor whose clicks reach two processes during
an outage counts twice. A click whose script reached the server when the answer timed out is not counted
again in the database: the server carries it out when it answers again (or, if it dies meanwhile, loses
it with what its AOF had not written); one that timed out before it was sent (the connection was being
made) is counted in the database. The first timeout opens the breaker, so the clicks after it wait for
nothing and are counted in the database too.

Counters must be incremented atomically. Redis, memcached and the local-memory cache do that in `incr`.
Django's database cache does not (its `incr` is a read followed by a write), so on it the counter row
is locked for the read-modify-write (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite serializes write
transactions, which this project starts with BEGIN IMMEDIATE).
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from django.db import connections, router, transaction

from common import cache
from common.cache import CacheAway

PREFIX = "clicks:v1"
CACHE_ALIAS = "clicks"
# Counters outlive their day long enough for a late fold (beat down for a while); the day's salt and
# visitor markers only need to outlive the day itself.
COUNTER_TTL = 4 * 24 * 3600
MARKER_TTL = 2 * 24 * 3600
FOLD_DAYS = 3

# Known bots and link unfurlers: they get the redirect but are not counted. Matched case-insensitively
# anywhere in the User-Agent. An empty User-Agent is counted as a bot too.
BOT_PATTERNS = [
    r"bot\b", r"bot/", r"crawl", r"spider", r"slurp", r"mediapartners", r"facebookexternalhit",
    r"facebookcatalog", r"embedly", r"quora link preview", r"whatsapp", r"skypeuripreview", r"bitlybot",
    r"vkshare", r"pinterest", r"headlesschrome", r"lighthouse", r"preview", r"curl/", r"wget/",
    r"python-requests", r"python-urllib", r"go-http-client", r"okhttp", r"java/", r"libwww-perl",
    r"httpclient", r"axios/", r"node-fetch", r"scrapy", r"monitor", r"uptime",
]
_BOT_RE = re.compile("|".join(BOT_PATTERNS), re.IGNORECASE)

_salts: dict[str, str] = {}
# While the cache is away: a salt of this process only, and the visitors it has seen, per day.
_outage_salts: dict[str, str] = {}
_outage_visitors: dict[str, set[tuple[str, int, str]]] = {}
OUTAGE_VISITORS_MAX = 200_000


@lru_cache(maxsize=1024)  # per process: the same few User-Agents come again and again
def is_bot(user_agent: str) -> bool:
    return not user_agent.strip() or bool(_BOT_RE.search(user_agent))


def is_prefetch(request) -> bool:
    """A browser fetching the link ahead of a click that may never come (Sec-Purpose, or the older Purpose)."""
    purpose = request.headers.get("Sec-Purpose") or request.headers.get("Purpose") or ""
    return purpose.split(";", 1)[0].strip().lower() == "prefetch"


def total_key(anchor_id: int, day: str) -> str:
    return f"{PREFIX}:t:{day}:{anchor_id}"


def unique_key(anchor_id: int, day: str) -> str:
    return f"{PREFIX}:u:{day}:{anchor_id}"


def creator_unique_key(creator_id: int, day: str) -> str:
    return f"{PREFIX}:cu:{day}:{creator_id}"


def creators_clicked_key(day: str) -> str:
    """On Redis: the set of creators with a new visitor that day."""
    return f"{PREFIX}:cclicked:{day}"


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def breakdown_key(anchor_id: int, day: str, member: str) -> str:
    """The counter of one breakdown member ("referrer|tiktok.com") of a link's day; the member is
    digested so that a long domain makes no long key."""
    return f"{PREFIX}:b:{day}:{anchor_id}:{_digest(member)}"


def breakdown_set_key(anchor_id: int, day: str) -> str:
    """On Redis: the set of the breakdown members counted for the link that day."""
    return f"{PREFIX}:bv:{day}:{anchor_id}"


def _registry_length_key(anchor_id: int, day: str) -> str:
    return f"{PREFIX}:bn:{day}:{anchor_id}"


def _registry_slot_key(anchor_id: int, day: str, number: int) -> str:
    return f"{PREFIX}:bs:{day}:{anchor_id}:{number}"


def _registry_marker_key(anchor_id: int, day: str, member: str) -> str:
    return f"{PREFIX}:bm:{day}:{anchor_id}:{_digest(member)}"


@dataclass(frozen=True)
class ClickDetails:
    """A click's breakdowns (click_details.py): referring domain, device class, country code."""

    referrer: str
    device: str
    country: str

    def members(self) -> list[str]:
        return [f"referrer|{self.referrer}", f"device|{self.device}", f"country|{self.country}"]


def clicked_key(day: str) -> str:
    """On Redis: the set of links clicked that day, so that a fold reads only those."""
    return f"{PREFIX}:clicked:{day}"


def clicked_anchor_ids(*, days: list[str]) -> list[int] | None:
    """The links with clicks on these days as Redis knows them; None on caches that cannot tell. Raises
    CacheAway."""
    return _set_members([clicked_key(day) for day in days])


def _set_members(keys: list[str]) -> list[int] | None:
    """The ids in these Redis sets of the `clicks` alias, together; None when the alias is not Redis."""
    handle = cache.redis_handle(CACHE_ALIAS)
    if handle is None:
        return None

    def read(_backend) -> list[int]:
        pipeline = handle.client.pipeline(transaction=False)
        for key in keys:
            pipeline.smembers(handle.key(key))
        return sorted({int(member) for found in pipeline.execute() for member in found})

    return cache.call(CACHE_ALIAS, read)


def daily_salt(day: str) -> str:
    salt = _salts.get(day)
    if salt is None:
        try:
            salt = cache.call(CACHE_ALIAS, _shared_salt, day)
        except CacheAway:
            if day not in _outage_salts:
                _outage_salts.clear()
                _outage_salts[day] = secrets.token_hex(16)
            return _outage_salts[day]
        if salt is None:  # the cache dropped it between the two calls; count with a fresh one
            return secrets.token_hex(16)
        _salts.clear()
        _salts[day] = salt
    return salt


def _shared_salt(backend, day: str) -> str | None:
    backend.add(f"{PREFIX}:salt:{day}", secrets.token_hex(16), MARKER_TTL)
    return backend.get(f"{PREFIX}:salt:{day}")


def visitor_hash(*, day: str, anchor_id: int, address: str, user_agent: str) -> str:
    material = f"{daily_salt(day)}|{anchor_id}|{address}|{user_agent[:500]}".encode()
    return hashlib.blake2b(material, digest_size=16).hexdigest()


def creator_visitor_hash(*, day: str, creator_id: int, address: str, user_agent: str) -> str:
    """The visitor's hash for all of one creator's links (the same day's salt, another namespace)."""
    material = f"{daily_salt(day)}|creator:{creator_id}|{address}|{user_agent[:500]}".encode()
    return hashlib.blake2b(material, digest_size=16).hexdigest()


def counter_add(key: str, delta: int) -> int:
    """Adds `delta` to the counter `key` of the `clicks` alias (the fold takes back what it moved); raises
    CacheAway."""
    return cache.call(CACHE_ALIAS, counter_incr, key, delta)


def counter_incr(backend, key: str, delta: int = 1) -> int:
    """Adds `delta` to the counter `key` (created at 0) atomically on every cache backend; returns the new
    value. `backend` is the `clicks` alias's, as common/cache.call hands it over."""
    if cache.is_database(CACHE_ALIAS):
        return _database_counter_incr(backend, key, delta)
    for _attempt in range(3):
        try:
            return backend.incr(key, delta)
        except ValueError:  # not there yet (or just expired): create it, then increment
            backend.add(key, 0, COUNTER_TTL)
    raise RuntimeError(f"The cache would not keep the counter {key}.")


def _database_counter_incr(backend, key: str, delta: int) -> int:
    db = router.db_for_write(backend.cache_model_class)
    connection = connections[db]
    with transaction.atomic(using=db):
        backend.add(key, 0, COUNTER_TTL)
        if connection.features.has_select_for_update:
            table = connection.ops.quote_name(backend._table)  # the cache table
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT cache_key FROM {table} WHERE cache_key = %s FOR UPDATE",  # noqa: S608
                    [backend.make_and_validate_key(key)],
                )
        value = (backend.get(key) or 0) + delta
        backend.set(key, value, COUNTER_TTL)
    return value


# On Redis the whole click is one round trip: the same steps as below, run atomically by the server.
# KEYS: 1 total, 2 visitor marker, 3 uniques, 4 links clicked today, 5 creator's visitor marker,
# 6 creator's uniques, 7 creators with new visitors today, 8 the link's breakdown members, 9-11 the
# counters of the three members. ARGV: 1 counter TTL, 2 marker TTL, 3 link id, 4 creator id, 5-7 members.
_REDIS_CLICK = """
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[4], ARGV[3])
redis.call('EXPIRE', KEYS[4], ARGV[1])
for i = 0, 2 do
  redis.call('INCR', KEYS[9 + i])
  redis.call('EXPIRE', KEYS[9 + i], ARGV[1])
  redis.call('SADD', KEYS[8], ARGV[5 + i])
end
redis.call('EXPIRE', KEYS[8], ARGV[1])
if redis.call('SET', KEYS[5], 1, 'NX', 'EX', ARGV[2]) then
  redis.call('INCR', KEYS[6])
  redis.call('EXPIRE', KEYS[6], ARGV[1])
  redis.call('SADD', KEYS[7], ARGV[4])
  redis.call('EXPIRE', KEYS[7], ARGV[1])
end
if redis.call('SET', KEYS[2], 1, 'NX', 'EX', ARGV[2]) then
  redis.call('INCR', KEYS[3])
  redis.call('EXPIRE', KEYS[3], ARGV[1])
  return 1
end
return 0
"""


def click_record(
    *, anchor_id: int, creator_id: int, day: date, address: str, user_agent: str, details: ClickDetails
) -> bool:
    """Counts one click on a link in the cache, with its breakdowns and the creator's unique visitors;
    returns True when it was the visitor's first click on the link that day. Raises CacheAway when the
    cache is unreachable (then the caller counts it elsewhere)."""
    day_str = day.isoformat()
    digest = visitor_hash(day=day_str, anchor_id=anchor_id, address=address, user_agent=user_agent)
    creator_digest = creator_visitor_hash(day=day_str, creator_id=creator_id, address=address, user_agent=user_agent)
    if cache.redis_handle(CACHE_ALIAS) is not None:
        redis_keys, args = redis_click_keys_and_args(
            anchor_id=anchor_id, creator_id=creator_id, day_str=day_str, digest=digest, creator_digest=creator_digest,
            members=details.members(),
        )
        return bool(cache.run_script(CACHE_ALIAS, "click", _REDIS_CLICK, keys=redis_keys, args=args))
    return cache.call(
        CACHE_ALIAS, _click_in_cache, anchor_id=anchor_id, creator_id=creator_id, day_str=day_str, digest=digest,
        creator_digest=creator_digest, members=details.members(),
    )


def _click_in_cache(
    backend, *, anchor_id: int, creator_id: int, day_str: str, digest: str, creator_digest: str, members: list[str]
) -> bool:
    keys = [total_key(anchor_id, day_str), f"{PREFIX}:s:{day_str}:{anchor_id}:{digest}", unique_key(anchor_id, day_str)]
    creator_keys = [f"{PREFIX}:cs:{day_str}:{creator_id}:{creator_digest}", creator_unique_key(creator_id, day_str)]
    member_keys = [breakdown_key(anchor_id, day_str, member) for member in members]
    counter_incr(backend, keys[0])
    for member, key in zip(members, member_keys, strict=True):
        counter_incr(backend, key)
        _registry_join(backend, anchor_id=anchor_id, day_str=day_str, member=member)
    if backend.add(creator_keys[0], 1, MARKER_TTL):
        counter_incr(backend, creator_keys[1])
    if backend.add(keys[1], 1, MARKER_TTL):
        counter_incr(backend, keys[2])
        return True
    return False


def redis_click_keys_and_args(
    *, anchor_id: int, creator_id: int, day_str: str, digest: str, creator_digest: str, members: list[str]
) -> tuple[list[str], list[str | int]]:
    """The keys (as the cache alias names them, before its key function) and arguments of the Redis click
    script: `_REDIS_CLICK` alone, or after the short link's own check (short_links.py)."""
    keys = [
        total_key(anchor_id, day_str), f"{PREFIX}:s:{day_str}:{anchor_id}:{digest}", unique_key(anchor_id, day_str),
        clicked_key(day_str), f"{PREFIX}:cs:{day_str}:{creator_id}:{creator_digest}",
        creator_unique_key(creator_id, day_str), creators_clicked_key(day_str), breakdown_set_key(anchor_id, day_str),
        *(breakdown_key(anchor_id, day_str, member) for member in members),
    ]
    return keys, [COUNTER_TTL, MARKER_TTL, anchor_id, creator_id, *members]


def _registry_join(backend, *, anchor_id: int, day_str: str, member: str) -> None:
    """On caches without sets: the member's first click gives it the next slot of the link's day."""
    if backend.add(_registry_marker_key(anchor_id, day_str, member), 1, COUNTER_TTL):
        number = counter_incr(backend, _registry_length_key(anchor_id, day_str))
        backend.set(_registry_slot_key(anchor_id, day_str, number), member, COUNTER_TTL)


def outage_first_visit(*, anchor_id: int, day: date, address: str, user_agent: str) -> bool:
    """While the cache is away: True for this process's first click of the visitor on the link that day."""
    day_str = day.isoformat()
    digest = visitor_hash(day=day_str, anchor_id=anchor_id, address=address, user_agent=user_agent)
    return _outage_first(("link", anchor_id, digest), day_str)


def outage_first_creator_visit(*, creator_id: int, day: date, address: str, user_agent: str) -> bool:
    """While the cache is away: True for this process's first click of the visitor on any of the
    creator's links that day."""
    day_str = day.isoformat()
    digest = creator_visitor_hash(day=day_str, creator_id=creator_id, address=address, user_agent=user_agent)
    return _outage_first(("creator", creator_id, digest), day_str)


def _outage_first(marker: tuple[str, int, str], day_str: str) -> bool:
    seen = _outage_visitors.get(day_str)
    if seen is None or len(seen) >= OUTAGE_VISITORS_MAX:
        _outage_visitors.clear()
        seen = _outage_visitors[day_str] = set()
    if marker in seen:
        return False
    seen.add(marker)
    return True


def pending_counts(*, anchor_ids: list[int], days: list[str]) -> dict[tuple[int, str], tuple[int, int]]:
    """The counts not yet folded, {(anchor_id, day): (clicks, unique visitors)}, zeros left out. Raises
    CacheAway."""
    keys = {}
    for anchor_id in anchor_ids:
        for day in days:
            keys[total_key(anchor_id, day)] = (anchor_id, day, 0)
            keys[unique_key(anchor_id, day)] = (anchor_id, day, 1)
    found = cache.get_many(list(keys), alias=CACHE_ALIAS)
    pending: dict[tuple[int, str], list[int]] = {}
    for key, value in found.items():
        if value:
            anchor_id, day, slot = keys[key]
            pending.setdefault((anchor_id, day), [0, 0])[slot] = int(value)
    return {key: (counts[0], counts[1]) for key, counts in pending.items()}


def pending_breakdowns(*, anchor_ids: list[int], days: list[str]) -> dict[tuple[int, str], dict[str, int]]:
    """The breakdown counts not yet folded, {(anchor_id, day): {member: clicks}}, zeros left out."""
    members = _breakdown_members(anchor_ids=anchor_ids, days=days)
    keys = {
        breakdown_key(anchor_id, day, member): (anchor_id, day, member)
        for (anchor_id, day), names in members.items()
        for member in names
    }
    found = cache.get_many(list(keys), alias=CACHE_ALIAS)
    pending: dict[tuple[int, str], dict[str, int]] = {}
    for key, value in found.items():
        if value:
            anchor_id, day, member = keys[key]
            pending.setdefault((anchor_id, day), {})[member] = int(value)
    return pending


def _breakdown_members(*, anchor_ids: list[int], days: list[str]) -> dict[tuple[int, str], list[str]]:
    """The members in each link's registry of the day (the module's docstring says where it lives)."""
    pairs = [(anchor_id, day) for anchor_id in anchor_ids for day in days]
    if not pairs:
        return {}
    handle = cache.redis_handle(CACHE_ALIAS)
    if handle is not None:

        def read(_backend):
            pipeline = handle.client.pipeline(transaction=False)
            for a, d in pairs:
                pipeline.smembers(handle.key(breakdown_set_key(a, d)))
            return pipeline.execute()

        return {
            pair: sorted(member.decode() for member in found)
            for pair, found in zip(pairs, cache.call(CACHE_ALIAS, read), strict=True)
            if found
        }
    lengths = cache.get_many([_registry_length_key(a, d) for a, d in pairs], alias=CACHE_ALIAS)
    slots = {
        _registry_slot_key(a, d, number): (a, d)
        for a, d in pairs
        for number in range(1, int(lengths.get(_registry_length_key(a, d)) or 0) + 1)
    }
    members: dict[tuple[int, str], list[str]] = {}
    for key, member in cache.get_many(list(slots), alias=CACHE_ALIAS).items():
        members.setdefault(slots[key], []).append(member)
    return members


def clicked_creator_ids(*, days: list[str]) -> list[int] | None:
    """The creators with new visitors on these days as Redis knows them; None on caches that cannot tell.
    Raises CacheAway."""
    return _set_members([creators_clicked_key(day) for day in days])


def pending_creator_uniques(*, creator_ids: list[int], days: list[str]) -> dict[tuple[int, str], int]:
    """The creator-wide unique visitors not yet folded, {(creator_id, day): visitors}, zeros left out."""
    keys = {creator_unique_key(creator_id, day): (creator_id, day) for creator_id in creator_ids for day in days}
    found = cache.get_many(list(keys), alias=CACHE_ALIAS)
    return {keys[key]: int(value) for key, value in found.items() if value}
