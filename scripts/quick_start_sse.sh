#!/usr/bin/env bash
# Quick start: from a fresh clone to a running server and a successful tool call.
#   scripts/quick_start_sse.sh          install if needed, create .env, ask for the key, start, check, keep running
#   scripts/quick_start_sse.sh --check  the same, then stop the server and exit with the check's status
# Safe to run again: it runs npm ci only when npm ls finds the installed dependencies missing or not matching
# package.json, and it never overwrites an existing .env.
# ENV_FILE (default .env) and PORT / HOST can be set in the environment.
set -euo pipefail
cd "$(dirname "$0")/.."

check_only=false
[[ "${1:-}" == "--check" ]] && check_only=true
env_file="${ENV_FILE:-.env}"
say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# 1. Node 20.19 or newer.
command -v node >/dev/null || die "Node.js is not installed: get Node 20.19+ from https://nodejs.org"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || die "Node $(node --version) is too old: this server needs 20.19 or newer"
say "Node $(node --version)"

# 2. Dependencies, only when what is installed does not satisfy package.json.
if ! npm ls --depth=0 >/dev/null 2>&1; then
  say "Installing dependencies (npm ci)"
  npm ci --no-audit --no-fund
else
  say "Dependencies are up to date"
fi

# 3. The env file, from the example, only when missing.
if [[ ! -f "$env_file" ]]; then
  cp .env.example "$env_file"
  say "Created $env_file from .env.example"
fi

# 4. The API key: the environment, the env file, or a prompt when someone is at the terminal.
key="${ELEVENLABS_API_KEY:-}"
if [[ -z "$key" ]]; then
  key="$(sed -n 's/^ELEVENLABS_API_KEY=//p' "$env_file" | tail -n 1)"
fi
if [[ -z "$key" && -t 0 ]]; then
  read -r -s -p "ElevenLabs API key (https://elevenlabs.io/app/settings/api-keys; Enter to skip): " key
  echo
  if [[ -n "$key" ]]; then
    tmp="$(mktemp)"
    grep -v '^ELEVENLABS_API_KEY=' "$env_file" > "$tmp" || true
    printf 'ELEVENLABS_API_KEY=%s\n' "$key" >> "$tmp"
    mv "$tmp" "$env_file"
    chmod 600 "$env_file"
    say "Saved the key in $env_file"
  fi
fi
[[ -n "$key" ]] || say "No API key yet: the server starts, and tools will say to set ELEVENLABS_API_KEY"

# 5. Start the server (it reads the env file through dotenv) and wait for /health.
port="${PORT:-$(sed -n 's/^PORT=//p' "$env_file" | tail -n 1)}"
port="${port:-8000}"
url="http://127.0.0.1:${port}"
say "Building and starting the server on $url"
npm run build --silent
DOTENV_CONFIG_PATH="$env_file" PORT="$port" node dist/index.js &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if node -e "fetch('$url/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; then break; fi
  kill -0 "$server" 2>/dev/null || die "the server exited; see its log above"
  sleep 0.2
done
node -e "fetch('$url/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" || die "no answer from $url/health"
say "Healthy: $url/health"

# 6. The bundled test client: health, a session over /mcp, initialize, tools, and one free tool call when a key is set.
token="$(sed -n 's/^MCP_AUTH_TOKENS=//p' "$env_file" | tail -n 1 | cut -d, -f1)"
client_args=(--url "$url")
[[ -n "$token" ]] && client_args+=(--token "$token")
[[ -n "$key" ]] && client_args+=(--test-tool list_models)
status=0
node dist/client/cli.js "${client_args[@]}" || status=$?

if $check_only; then
  exit "$status"
fi
say "Server running at $url/mcp (Streamable HTTP) and $url/sse (legacy SSE); Ctrl-C to stop. Clients: see README.md, 'Connect a client'."
trap - EXIT
wait "$server"
