#!/usr/bin/env bash
# Redraw docs/architecture.png, the layers of lib/trustlab (docs/architecture.md), from the code as it stands.
# farm-studio (the workplace's structure drawing tool) reads the imports and writes the picture under /tmp/studio;
# its first line is JSON naming the picture, which is copied into docs/.
set -euo pipefail
cd "$(dirname "$0")/.."
first_line=$(farm-studio look lib/trustlab | head -1)
picture=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["picture"])' "$first_line")
cp "$picture" docs/architecture.png
echo "docs/architecture.png <- $picture"
