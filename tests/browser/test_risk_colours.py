"""The BVC's risk colours, as Chromium draws them at 360 px, light and dark, and as Chromium's
DevTools simulate them for the common colour-vision deficiencies and for no colour at all
(Emulation.setEmulatedVisionDeficiency): every pair of bands stays clearly apart, in lightness
alone where there is no colour, and the words on each fill keep their contrast. Shape and words
say the band too (test_bvc_live.py); colour is never alone."""
import itertools
import re
import struct
import zlib

import pytest

BANDS = {"low": [], "moderate": ["forvirring"], "high": ["forvirring", "irritabilitet", "fysiske_trusler"]}


def url(base, band):
    # A query always starts that score (plain /bvc would bring back the one kept on the phone).
    return base + "/bvc?borger=ukendt" + "".join(f"&items={i}" for i in BANDS[band])
VISION = ["none", "protanopia", "deuteranopia", "tritanopia", "achromatopsia"]
# CIE76 ΔE: about 2 is the least a person notices side by side; 20 is plainly another colour.
MIN_DELTA_E = 20
# Lightness alone (what is left in grayscale): two steps of a grey scale a worker tells apart in sunlight.
MIN_DELTA_L = 15


def pixel(png):
    """The colour of a 1×1 PNG. With one pixel every PNG filter leaves the bytes as they are."""
    pos, width, height, colour_type, data = 8, None, None, None, b""
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        chunk = png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and colour_type in (2, 6)
        elif kind == b"IDAT":
            data += chunk
        pos += 12 + length
    assert (width, height) == (1, 1)
    return tuple(zlib.decompress(data)[1:4])


def linear(c):
    c /= 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb):
    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def lab(rgb):
    r, g, b = (linear(c) for c in rgb)
    x, y, z = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, luminance(rgb), \
        (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t):
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116
    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def contrast(a, b):
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def rendered(page, base, vision):
    """Each band's fill, sampled from the screen inside the sticky bar, as seen with `vision`,
    and the colour of the words on it."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setEmulatedVisionDeficiency", {"type": vision})
    fills = {}
    for band in BANDS:
        page.goto(url(base, band))
        # Two frames, so the screenshot is of this page as filtered, not the last one drawn.
        page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        box = page.locator("#bvc-result").bounding_box()
        # Right of the words, inside the border: only the fill is there.
        clip = {"x": int(box["x"] + box["width"] - 10), "y": int(box["y"] + box["height"] / 2), "width": 1, "height": 1}
        text = page.evaluate("getComputedStyle(document.querySelector('#bvc-result [data-band-label]')).color")
        fills[band] = pixel(page.screenshot(clip=clip)), tuple(int(v) for v in re.findall(r"\d+", text)[:3])
    cdp.detach()
    return fills


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_bands_stay_apart_for_every_vision_and_in_grayscale_and_keep_their_words_readable(
        new_context, server, scheme):
    page = new_context(color_scheme=scheme, device_scale_factor=1).new_page()
    drawn = {vision: rendered(page, server.url, vision) for vision in VISION}
    seen = {vision: {band: fill for band, (fill, _) in fills.items()} for vision, fills in drawn.items()}
    report = {}
    for vision, fills in seen.items():
        for a, b in itertools.combinations(BANDS, 2):
            la, lb = lab(fills[a]), lab(fills[b])
            delta_e = sum((x - y) ** 2 for x, y in zip(la, lb)) ** 0.5
            report[vision, a, b] = (round(delta_e), round(abs(la[0] - lb[0])))
    too_close = {k: v for k, v in report.items() if v[0] < MIN_DELTA_E}
    assert not too_close, report
    gray = {k: v for k, v in report.items() if k[0] == "achromatopsia" and v[1] < MIN_DELTA_L}
    assert not gray, report
    # Strong fills in both schemes: the bands are not pale tints or dark shades of one another.
    lightness = {band: lab(rgb)[0] for band, rgb in seen["none"].items()}
    assert lightness["high"] < 40 < lightness["low"] < 75 < lightness["moderate"], lightness
    # And the words on each fill keep their contrast (AA), as drawn.
    for band, (fill, words) in drawn["none"].items():
        assert contrast(fill, words) >= 4.5, (band, fill, words)
