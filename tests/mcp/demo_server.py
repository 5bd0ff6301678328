"""An MCP server written with the mcp SDK, for the client tests.

Run: python demo_server.py stdio | streamable-http PORT | sse PORT
"""

from __future__ import annotations

import asyncio
import os
import struct
import sys
import zlib
from typing import Literal

from mcp.server.fastmcp import FastMCP, Image
from pydantic import BaseModel, Field


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """Encode a plain-colour PNG with the standard library, so the server needs no imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


RED_SQUARE = _png(4, 4, (255, 0, 0))

transport = sys.argv[1] if len(sys.argv) > 1 else "stdio"
port = int(sys.argv[2]) if len(sys.argv) > 2 else 8000
server = FastMCP("demo", host="127.0.0.1", port=port, log_level="WARNING")
arrived: list[asyncio.Event] = []


class Weather(BaseModel):
    """A city's weather."""

    city: str
    temperature: float = Field(description="Temperature in the unit asked for")
    unit: Literal["celsius", "fahrenheit"]


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers.

    Args:
        a: The first number.
        b: The second number.
    """
    return a + b


@server.tool(name="get-weather")
def get_weather(
    city: str = Field(description="The city name"), unit: Literal["celsius", "fahrenheit"] = "celsius"
) -> Weather:
    """Report the weather of a city."""
    return Weather(city=city, temperature=21.5 if unit == "celsius" else 70.7, unit=unit)


@server.tool()
def echo(text: str) -> str:
    """Repeat a text."""
    return text


@server.tool()
def red_square() -> Image:
    """Return a small red square image."""
    return Image(data=RED_SQUARE, format="png")


@server.tool()
async def slow(seconds: float) -> str:
    """Wait, then answer."""
    await asyncio.sleep(seconds)
    return "finally"


@server.tool()
def crash() -> str:
    """Kill the server process."""
    sys.stderr.write("demo server: crashing on purpose\n")
    sys.stderr.flush()
    os._exit(3)


@server.tool()
def pid() -> int:
    """Return the server's process id."""
    return os.getpid()


@server.tool()
def fail() -> str:
    """Always fail."""
    raise ValueError("the gizmo is out of order")


@server.tool()
async def rendezvous(who: str) -> str:
    """Return once two callers are waiting (or fail after 30 s)."""
    me = asyncio.Event()
    arrived.append(me)
    if len(arrived) % 2 == 0:
        for event in arrived[-2:]:
            event.set()
    await asyncio.wait_for(me.wait(), 30)
    return f"{who} met a partner"


if __name__ == "__main__":
    server.run(transport)  # type: ignore[arg-type]
