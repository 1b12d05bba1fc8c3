#!/bin/sh
# Renders the app icons from icons/icon.svg with Debian's Chromium.
# Run by hand when the icon changes; the PNGs are committed.
set -e
tools=$(cd "$(dirname "$0")" && pwd)
cd "$tools/../pwa/static/icons"
tmp=$(mktemp -d)
render() { # size padding(px) out
  cat > "$tmp/i.html" <<HTML
<html><body style="margin:0;background:#0b3d5c"><img src="file://$PWD/icon.svg" style="display:block;width:$(($1-2*$2))px;height:$(($1-2*$2))px;margin:$2px"></body></html>
HTML
  chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --hide-scrollbars --user-data-dir="$tmp/ud" --window-size=$1,$1 --screenshot="$PWD/$3" "file://$tmp/i.html" 2>/dev/null
}
render 192 0 icon-192.png
render 512 0 icon-512.png
render 512 64 maskable-512.png
rm -rf "$tmp"
# Smaller, same pixels (the 192 px icon is fetched on every first visit).
python3 "$tools/repack_png.py" icon-192.png icon-512.png maskable-512.png
