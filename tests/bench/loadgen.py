"""A small HTTP/1.1 load generator, for machines without wrk: keep-alive connections, each sending
the next path as soon as the previous answer is read; prints one JSON line of figures.

    python -m tests.bench.loadgen URL PATHS_FILE SECONDS CONNECTIONS

It runs in a process of its own (one core); being Python, it tops out at a few thousand requests a
second, so compare only ratios taken with it in one run, never its figures with wrk's.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from urllib.parse import urlsplit


async def connection(host: str, port: int, paths: list[str], start: int, deadline: float,
                     latencies: list[float], counts: dict[str, int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    i = start
    try:
        while time.perf_counter() < deadline:
            path = paths[i % len(paths)]
            i += 1
            begin = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
            latencies.append(time.perf_counter() - begin)
            counts["non2xx"] += not 200 <= status < 400
    finally:
        writer.close()


async def run(url: str, paths: list[str], seconds: float, connections: int) -> dict[str, float]:
    parts = urlsplit(url)
    latencies: list[float] = []
    counts = {"non2xx": 0}
    begin = time.perf_counter()
    deadline = begin + seconds
    await asyncio.gather(*(connection(parts.hostname, parts.port, paths, k * 7919, deadline, latencies, counts)
                           for k in range(connections)))
    elapsed = time.perf_counter() - begin
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1e3 if latencies else 0.0

    return {"rps": len(latencies) / elapsed, "p50_ms": pct(0.5), "p99_ms": pct(0.99), "errors": float(counts["non2xx"])}


def main() -> None:
    url, path_file, seconds, connections = sys.argv[1:5]
    paths = [line for line in open(path_file, encoding="utf-8").read().splitlines() if line]
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    print(json.dumps(asyncio.run(run(url, paths, float(seconds), int(connections)))))


if __name__ == "__main__":
    main()
