"""One shard of the sharding tests' client in a process of its own, as a sharded bot runs:
`python -m tests.sandbox.shard_process API_BASE TOKEN SHARD_ID SHARD_COUNT`. Runs until
terminated."""

from __future__ import annotations

import asyncio
import sys

from sandbox.discord_pointing import gateway_url_for, point_discord

from .shard_client import ShardClient


async def main(api_base: str, token: str, shard_id: int, shard_count: int) -> None:
    with point_discord(api_base, gateway_url_for(api_base)):
        async with ShardClient([shard_id], shard_count) as client:
            await client.start(token)


if __name__ == "__main__":
    base, token, shard, count = sys.argv[1:5]
    asyncio.run(main(base, token, int(shard), int(count)))
