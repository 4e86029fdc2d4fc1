# Shared by scripts/run and scripts/test. Source it; do not run it.

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd; }

log() { printf '[batchexports] %s\n' "$*" >&2; }

die() { printf '[batchexports] error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else return 1; fi
}

require_dotnet() {
  command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (10.0) is required: https://dotnet.microsoft.com/download"
}

# PostgreSQL server binaries (initdb, pg_ctl): the private database and the test databases are started from them.
postgres_bin_dir() {
  local dir
  if [ -n "${PG_BIN_DIR:-}" ] && [ -x "$PG_BIN_DIR/initdb" ]; then echo "$PG_BIN_DIR"; return 0; fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  done
  dir=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
  if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  return 1
}

ensure_postgres() {
  if postgres_bin_dir >/dev/null; then return 0; fi
  log "PostgreSQL server binaries not found; installing them (apt-get install postgresql)..."
  command -v apt-get >/dev/null 2>&1 || die "install PostgreSQL (server binaries: initdb, pg_ctl), or set ConnectionStrings__BatchExports"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
    && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null \
    || die "could not install PostgreSQL; install it yourself or set ConnectionStrings__BatchExports"
  # Debian starts a system cluster on install; ours are private, so leave the system one alone but quiet.
  postgres_bin_dir >/dev/null || die "PostgreSQL was installed but initdb was not found"
}

# Builds once, quietly, into the default output folders.
build_release() {
  log "building (Release)..."
  dotnet build "$(repo_root)/BatchExports.sln" -c Release -nologo -clp:ErrorsOnly -v:quiet \
    || die "the build failed"
}

api_dll() { echo "$(repo_root)/src/BatchExports.Api/bin/Release/net10.0/BatchExports.Api.dll"; }
