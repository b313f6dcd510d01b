#!/usr/bin/env python3
"""How much of the one-id anchor traffic a CDN node absorbs, measured with nginx's proxy cache.

    ./dev bench cdn            # 100,000 videos; two Zipf streams, each a cold and a warm minute
    ./dev bench cdn --quick    # 1,000 videos, 10-s windows (checks the script)
    (./dev bench cdn runs .venv/bin/python bench/cdn.py, which takes the same options)

Reelfolio runs as in bench/run.py (gunicorn, PostgreSQL, Redis; a throwaway `bench_*` database, seeded in
bulk). In front of it, nginx (Debian: `apt-get install -y nginx-light`) runs as the CDN node, as the
current user from a temporary folder (`-p`, `daemon off`; the system's nginx is left alone), caching
by the answers' own headers: `Cache-Control: public, max-age=60, stale-while-revalidate=30,
stale-if-error=86400` and the `ETag` (`proxy_cache_revalidate`: an expired answer is revalidated with
If-None-Match, answered 304). nginx keeps one variant per cache key and treats a request whose `Vary`
headers differ from the stored variant's as a miss, so the key includes the Authorization header.

wrk sends `GET /api/v1/anchors/?video_id=<one id>` with one partner key; the videos' popularity follows
a Zipf law over all seeded videos (rank r is asked with weight 1/r^s; ranks shuffled over the videos),
for each exponent given. Each stream starts on an empty node and runs two windows: the first minute
(cold node) and the next (warm node, where max-age=60 matters). The origin's requests are counted in
gunicorn's access log; nginx's log gives $upstream_cache_status for each request it answered.
"""

import argparse
import getpass
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from run import (
    BENCH,
    BIN,
    FULL,
    QUICK,
    ROOT,
    Databases,
    Processes,
    anchors_get,
    flush_cache,
    free_port,
    manage,
    production_env,
    say,
    seed,
    wait_for,
    write_requests,
)

NGINX = """daemon off;
user {user};
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    log_format cdn '$upstream_cache_status $status';
    access_log {folder}/nginx-access.log cdn;
    client_body_temp_path {folder}/client-body;
    proxy_temp_path {folder}/proxy;
    proxy_cache_path {folder}/cache levels=1:2 keys_zone=anchors:64m max_size=2g inactive=1d use_temp_path=off;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://127.0.0.1:{origin};
            proxy_set_header Host 127.0.0.1;
            proxy_cache anchors;
            proxy_cache_key "$request_uri $http_authorization";
            proxy_cache_revalidate on;
            proxy_cache_background_update on;
            proxy_cache_use_stale updating error timeout;
            proxy_cache_lock on;
        }}
    }}
}}
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 videos and 10-s windows")
    parser.add_argument("--videos", type=int, help="videos seeded and asked about (default 100,000; quick 1,000)")
    parser.add_argument("--seconds", type=float, help="each window's duration (default 60; quick 10)")
    parser.add_argument("--exponents", default="1.0,0.8", help="Zipf exponents s, one stream each (default 1.0,0.8)")
    parser.add_argument("--rate", type=float, default=2000, help="requests a second offered to the node (default 2000)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections of wrk (default 4)")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres",
                        help="a PostgreSQL server's URL, to create and drop the throwaway databases in")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/13", help="a throwaway Redis database (emptied)")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/0", help="the Celery broker's Redis database")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    args.sizes = {**sizes, "videos": args.videos or sizes["videos"], "jobs": min(sizes["jobs"], 20)}
    args.seconds = args.seconds or (10.0 if args.quick else 60.0)
    return args


def origin_log(path: Path) -> list[str]:
    """The statuses of the anchor requests gunicorn answered (its access log, one request a line)."""
    return [line.split()[0] for line in path.read_text().splitlines() if "/api/v1/anchors/" in line]


def window(args, folder: Path, node: Path, name: str, port: int, key: str, ids: list[str], weights: list[float]):
    rng = random.Random(name)
    lines = int(args.rate * args.seconds * 1.05)  # more than the stream sends: no line is sent twice
    chosen = rng.choices(ids, cum_weights=weights, k=lines)
    file = write_requests(folder / f"{name}.txt", [anchors_get([video_id], key) for video_id in chosen])
    before_origin = origin_log(folder / "access.log")
    before_node = (node / "nginx-access.log").read_text().splitlines()
    threads = args.connections
    command = ["wrk", "-t", str(threads), "-c", str(threads), "-d", f"{args.seconds:g}s", "--timeout", "30s", "-s",
               str(BENCH / "wrk" / "paced.lua"), f"http://127.0.0.1:{port}", "--", str(file), "200", str(threads),
               f"{threads * 1000 / args.rate:g}"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)  # noqa: S603
    line = next(line for line in done.stdout.splitlines() if line.startswith("BENCH "))
    figures = json.loads(line.removeprefix("BENCH "))
    time.sleep(1.5)  # the background updates still running are finished
    origin = Counter(origin_log(folder / "access.log")[len(before_origin):])
    answers = (node / "nginx-access.log").read_text().splitlines()[len(before_node) :]
    cache_status = Counter(line.split()[0] for line in answers)
    reached = sum(origin.values())
    return {**figures, "origin": reached, "origin_200": origin["200"], "origin_304": origin["304"],
            "origin_other": reached - origin["200"] - origin["304"], "node": dict(cache_status)}


def main() -> int:
    args = parse_args()
    if shutil.which("wrk") is None or shutil.which("nginx", path="/usr/sbin:/usr/bin") is None:
        sys.exit("bench/cdn.py needs wrk and nginx (Debian: apt-get install -y wrk nginx-light).")
    command = "./dev bench cdn" + (" " + " ".join(sys.argv[1:]) if len(sys.argv) > 1 else "")
    folder = Path(tempfile.mkdtemp(prefix="reelfolio-cdn-"))
    procs = Processes(folder)
    dbs = Databases(args.postgres)
    origin_port = free_port()
    rows = []
    try:
        database = dbs.create("cdn")
        env = production_env(args, folder, database_url=dbs.url(database), receiver_port=9, web_port=origin_port)
        say(f"Migrating, collecting static files and seeding {args.sizes} in {folder}")
        manage(env, "migrate", "--no-input")
        manage(env, "collectstatic", "--no-input")
        flush_cache(args)
        _, seeded = seed(env, folder, args.sizes, applicants=1)
        web = [str(BIN / "gunicorn"), "portfolio.wsgi", "--bind", f"127.0.0.1:{origin_port}", "--workers",
               str(args.web_workers), "--access-logfile", str(folder / "access.log"),
               "--access-logformat", "%(s)s %(U)s"]
        process, log = procs.start("gunicorn", web, env)
        wait_for(origin_port, "/healthz", process, log)
        ids = list(seeded["video_ids"])
        random.Random(5).shuffle(ids)  # rank 1 is any video, anchored or not
        for exponent in [float(s) for s in args.exponents.split(",")]:
            total, weights = 0.0, []
            for rank in range(1, len(ids) + 1):
                total += rank**-exponent
                weights.append(total)
            node = folder / f"node-{exponent}"
            node.mkdir()
            port = free_port()
            conf = NGINX.format(user=getpass.getuser(), folder=node, port=port, origin=origin_port)
            (node / "nginx.conf").write_text(conf)
            (node / "nginx-access.log").touch()
            nginx = ["/usr/sbin/nginx", "-p", str(node), "-c", str(node / "nginx.conf")]
            process, log = procs.start("nginx", nginx, env)
            wait_for(port, "/healthz", process, log)
            for which in ("cold node, first window", "warm node, next window"):
                say(f"Zipf s={exponent:g}, {which} ({args.seconds:g} s)")
                row = window(args, folder, node, f"s{exponent}-{which[:4]}", port, seeded["api_key"], ids, weights)
                row["stream"], row["window"] = f"s={exponent:g}", which
                rows.append(row)
            procs.stop("nginx")
    finally:
        procs.stop_all()
        dbs.drop_all()
        flush_cache(args)
        shutil.rmtree(folder, ignore_errors=True)
    print(report(args, command, rows))
    return 0 if not any(r["unexpected"] or r["errors"] for r in rows) else 1


def report(args, command: str, rows: list[dict]) -> str:
    lines = [
        f"Command: `{command}`; {args.sizes['videos']:,} videos ({args.sizes['anchors']:,} with an anchor), "
        f"one partner key, {args.rate:g} requests a second offered by wrk ({args.connections} connections) to one "
        f"nginx node, gunicorn "
        f"{args.web_workers} sync workers; windows of {args.seconds:g} s.",
        "",
        "| stream | window | requests sent | reached the origin | absorbed by the node | origin: 304 share "
        "| origin req/s | node answers (nginx $upstream_cache_status) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in rows:
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(r["node"].items(), key=lambda kv: -kv[1]))
        absorbed = 1 - r["origin"] / r["sent"]
        share_304 = r["origin_304"] / r["origin"] if r["origin"] else 0.0
        lines.append(
            f"| Zipf {r['stream']} | {r['window']} | {r['sent']:,} | {r['origin']:,} | {absorbed:.1%} "
            f"| {share_304:.1%} | {r['origin'] / r['seconds']:.0f} | {statuses} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
