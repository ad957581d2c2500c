import subprocess
import sys
import time
from pathlib import Path


async def test_timing(kit, media_server, tmp_path):
    url = media_server.url("files/h264_aac_mp4_faststart.mp4?t=1")
    async with kit.rig() as (sub, watch):
        for i in range(3):
            job = await sub.submit(url + f"&i={i}")
            env = await watch.wait_for(job, kit.DONE)
            s = watch.of(job, "UrlSubmitted")[0]
            st = watch.of(job, "DownloadStarted")[0]
            print("service", env.type, (env.occurred_at - s.occurred_at).total_seconds(), "started after", (st.occurred_at - s.occurred_at).total_seconds())
    yd = Path(sys.executable).parent / "yt-dlp"
    for i in range(3):
        t = time.monotonic()
        subprocess.run([str(yd), "-q", "-o", str(tmp_path / f"r{i}.%(ext)s"), url + f"&r={i}"], check=True)
        print("raw", time.monotonic() - t)
