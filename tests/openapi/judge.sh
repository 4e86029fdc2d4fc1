#!/usr/bin/env bash
# Third-party judges of the OpenAPI document against a started server (called by scripts/test):
#   tests/openapi/judge.sh BASE_URL API_KEY [TEAM_ID]
# 1. Redocly lint: zero errors, no operation-2xx-response warning.
# 2. openapi-typescript generates schema.d.ts from /api/schema/; client.ts (openapi-fetch) passes tsc --noEmit --strict.
# 3. Swagger UI renders in headless Chromium with every operation and the Authorize button.
# 4. Prism's validating proxy, loaded with our document, in front of the server: the client walkthrough (every route
#    family) with zero violations, and the curl smoke walkthrough with zero response violations (its deliberate bad
#    requests are request violations by design).
# 5. The same walkthrough through Prism loaded with PostHog's published document: every violating response is listed,
#    and each must be a deliberate difference (posthog-differences.txt, explained in README.md).
# Prints one line per judge and ends with "openapi: N passed, N failed".
set -uo pipefail
BASE=${1:?usage: judge.sh BASE_URL API_KEY [TEAM_ID]}
KEY=${2:?usage: judge.sh BASE_URL API_KEY [TEAM_ID]}
TEAM=${3:-1}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin="$here/node_modules/.bin"
posthog_doc="$repo/../shared/reference/posthog-openapi/posthog-batch-exports.json"
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
passed=0
failed=0
judge() {
  local name=$1 ok=$2 detail=${3:-}
  if [ "$ok" = 0 ]; then passed=$((passed + 1)); printf 'ok    %s\n' "$name"
  else failed=$((failed + 1)); printf 'FAIL  %s\n%s\n' "$name" "$detail"; fi
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

curl -fs "$BASE/api/schema/" -o "$work/schema.json"
judge "the document is served at /api/schema/" $?

"$bin/redocly" lint "$work/schema.json" --config "$here/redocly.yaml" --format=stylish >"$work/lint.txt" 2>&1
lint_rc=$?
! grep -q "operation-2xx-response" "$work/lint.txt"
no2xx=$?
judge "Redocly lint: no errors" "$lint_rc" "$(grep -E 'error|warning' "$work/lint.txt" | head -20)"
judge "Redocly lint: every operation has a 2xx response" "$no2xx" "$(grep operation-2xx-response "$work/lint.txt" | head -5)"

"$bin/openapi-typescript" "$work/schema.json" -o "$here/schema.d.ts" >"$work/gen.txt" 2>&1 \
  && "$bin/tsc" -p "$here/tsconfig.json" --noEmit --strict >"$work/tsc.txt" 2>&1
judge "openapi-typescript + openapi-fetch client passes tsc --noEmit --strict" $? "$(cat "$work/gen.txt" "$work/tsc.txt" | tail -20)"
"$bin/tsc" -p "$here/tsconfig.json" >/dev/null 2>&1

if command -v chromium >/dev/null 2>&1; then
  timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$work/chromium" --virtual-time-budget=15000 \
    --dump-dom "$BASE/api/schema/swagger-ui/index.html" >"$work/ui.html" 2>/dev/null
  operations=$(grep -o 'opblock-summary-operation-id' "$work/ui.html" | wc -l)
  expected=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(1 for p in d["paths"].values() for m in p if m in ("get","post","put","patch","delete")))' "$work/schema.json")
  [ "$operations" -eq "$expected" ] && grep -q 'btn authorize' "$work/ui.html" && grep -q 'batch_exports_create' "$work/ui.html"
  judge "Swagger UI renders in headless Chromium ($operations of $expected operations, Authorize button)" $?
else
  judge "Swagger UI renders in headless Chromium" 1 "chromium is not installed"
fi

# prism_walk DOCUMENT LOG: starts Prism's validating proxy for DOCUMENT in front of the server, runs the client and the
# smoke walkthrough through it, and leaves Prism's log in LOG.
prism_walk() {
  local document=$1 log=$2 port
  port=$(free_port)
  "$bin/prism" proxy "$document" "$BASE" --host 127.0.0.1 --port "$port" --errors false >"$log" 2>&1 &
  local prism=$!
  pids+=("$prism")
  # Ready when it forwards a documented, valid request (anything else would be a violation in the log).
  for _ in $(seq 1 120); do curl -fs -o /dev/null -H "Authorization: Bearer $KEY" "http://127.0.0.1:$port/api/projects/" && break; sleep 0.5; done
  BASE_URL="http://127.0.0.1:$port" API_KEY="$KEY" TEAM_ID="$TEAM" node "$here/out/client.js" >"$log.client" 2>&1
  sleep 1
  wc -l <"$log" >"$log.client-lines"
  "$repo/scripts/smoke" "http://127.0.0.1:$port" "$KEY" "$TEAM" >"$log.smoke" 2>&1
  kill "$prism" 2>/dev/null
  wait "$prism" 2>/dev/null
}

prism_walk "$work/schema.json" "$work/prism.log"
client_counts=$(grep -E '^client: [0-9]+ passed, [0-9]+ failed$' "$work/prism.log.client")
grep -q '^client: [0-9]* passed, 0 failed$' "$work/prism.log.client"
judge "the typed client walks every route family through Prism ($client_counts)" $? "$(grep -v '^ok' "$work/prism.log.client" | head -20)"
client_lines=$(cat "$work/prism.log.client-lines")
client_violations=$(head -n "$client_lines" "$work/prism.log" | grep 'Violation:')
[ -z "$client_violations" ]
judge "Prism (our document): zero violations in the client walkthrough's requests and responses" $? "$client_violations"
smoke_violations=$(tail -n +"$((client_lines + 1))" "$work/prism.log" | grep 'Violation: response')
[ -z "$smoke_violations" ] && grep -q '^smoke: [0-9]* passed, 0 failed$' "$work/prism.log.smoke"
judge "Prism (our document): zero response violations in the curl smoke walkthrough" $? "$smoke_violations$(grep FAIL "$work/prism.log.smoke")"

if [ -f "$posthog_doc" ]; then
  prism_walk "$posthog_doc" "$work/prism-posthog.log"
  echo "responses that break PostHog's published schema (see README: Deliberate differences from PostHog, The OpenAPI schema):"
  grep -E 'Request received|Violation: response' "$work/prism-posthog.log" \
    | sed -E 's/.*\[HTTP SERVER\] ([a-z]+) ([^ ]+).*/\1 \2/; s/.*Violation: (.*)/  -> \1/' | grep -B1 -- '  -> ' | grep -v '^--$' \
    | sed -E 's#/[0-9a-f]{8}-[0-9a-f-]{27}#/{id}#g; s/^([a-z])/  \1/' | awk '!seen[$0]++' 
  unexpected=$(grep -o 'Violation: response.*' "$work/prism-posthog.log" | sed 's/^Violation: //' \
    | grep -v -E -f <(grep -v '^#' "$here/posthog-differences.txt") | sort -u)
  [ -z "$unexpected" ]
  judge "PostHog's published schema: every violating response is a listed deliberate difference" $? "$unexpected"
else
  judge "PostHog's published schema: side-by-side check" 1 "missing $posthog_doc"
fi

echo "openapi: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
