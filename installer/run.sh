#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main job of `make run`: the desktop console where a display exists,
# otherwise colophon-server on an embedded SQLite database in ./data. On the
# first start it creates the admin account and prints its password.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/release/app
data=${COLOPHON_DATA:-./data}
listen=${COLOPHON_LISTEN:-127.0.0.1:8080}
admin=${COLOPHON_ADMIN_EMAIL:-admin@colophon.local}

if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" && -x "$bin/console/colophon" ]]; then
  exec "$bin/console/colophon" --data "$data"
fi

args=(--data "$data" --listen "$listen")
if [[ ! -e "$data/colophon.db" ]]; then
  args+=(--bootstrap-admin "$admin" --demo-content)
fi

cat >&2 <<TXT
Starting colophon-server with its data in $data.
  health:   http://$listen/healthz
  API:      http://$listen/api/v1/openapi.json
  content:  http://$listen/api/v1/public/content (demo articles on first start)
  sign in:  curl -X POST http://$listen/api/v1/auth/login \\
              -d '{"email":"$admin","password":"<the password printed below on first start>"}'
Stop it with Ctrl-C (it finishes in-flight requests first).
TXT
exec "$bin/server/colophon-server" "${args[@]}"
