#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main job of `make run`: the desktop console where a display exists,
# otherwise colophon-server on an embedded SQLite database in ./data.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/release/app
data=${COLOPHON_DATA:-./data}
listen=${COLOPHON_LISTEN:-127.0.0.1:8080}

if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" && -x "$bin/console/colophon" ]]; then
  exec "$bin/console/colophon" --data "$data"
fi

cat >&2 <<TXT
Starting colophon-server with its data in $data.
  health:   http://$listen/healthz
  metrics:  http://$listen/metrics
  API:      http://$listen/api/v1/openapi.json
Stop it with Ctrl-C (it finishes in-flight requests first).
TXT
exec "$bin/server/colophon-server" --data "$data" --listen "$listen"
