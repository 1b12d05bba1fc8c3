"""Screenshots of every page at 360 and 320 px, light and dark, for a human to look at.

Usage: .venv/bin/python tools/screenshots.py [base_url] [out_dir]
Needs a running server (make run) and Debian's Chromium.
"""
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

PAGES = {"home": "/", "bvc": "/bvc", "bvc-high": "/bvc?items=forvirring&items=irritabilitet&items=fysiske_trusler",
         "stages": "/stages?stage=contemplation", "prompts": "/prompts?stage=action", "manual": "/manual",
         "about": "/about", "offline": "/offline"}


def main(base="http://127.0.0.1:5000", out="screenshots"):
    Path(out).mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for width in (360, 320):
            for scheme in ("light", "dark"):
                ctx = browser.new_context(viewport={"width": width, "height": 740}, color_scheme=scheme,
                                          device_scale_factor=1, service_workers="block")
                page = ctx.new_page()
                for name, path in PAGES.items():
                    page.goto(base + path)
                    # Tiles of one phone screen each: readable, unlike one tall strip.
                    height = page.evaluate("document.documentElement.scrollHeight")
                    for i, top in enumerate(range(0, height, 740)):
                        page.screenshot(path=f"{out}/{name}-{width}-{scheme}-{i}.png", full_page=True,
                                        clip={"x": 0, "y": top, "width": width, "height": min(740, height - top)})
                ctx.close()
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
