"""The worker's network guard, in a process of its own (it patches process-wide)."""
from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import socket
from mf_contracts.netguard import UrlRefused
from mf_downloader.adapters.ytdlp_worker import guard_network
from yt_dlp import YoutubeDL
from yt_dlp.downloader.external import FFmpegFD

guard_network()
for host in ("127.0.0.1", "localhost", "10.1.2.3"):
    try:
        socket.getaddrinfo(host, 80)
    except UrlRefused as exc:
        print("resolver refused:", exc)
with YoutubeDL({"quiet": True}) as ydl:
    try:
        FFmpegFD(ydl, {}).real_download("x.mp4", {"url": "http://93.184.215.14/x.m3u8"})
    except UrlRefused as exc:
        print("ffmpeg refused:", exc)
"""


def test_guard_refuses_private_addresses_and_ffmpeg_downloads():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         check=True, timeout=60).stdout.splitlines()
    assert out == [
        "resolver refused: refused to connect to 127.0.0.1: 127.0.0.1 is a loopback address",
        "resolver refused: refused to connect to localhost: 127.0.0.1 is a loopback address",
        "resolver refused: refused to connect to 10.1.2.3: 10.1.2.3 is a private network address",
        ("ffmpeg refused: refused to let ffmpeg download this stream: its connections would "
        "bypass the private-address guard"),
    ]
