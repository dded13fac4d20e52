#!/usr/bin/env bash
# Dateline's two commands. Each sets everything up first (idempotent, only the package registry):
#   ./dev.sh run  [dateline run options]   → run the pipeline on seeds/ into warehouse/dateline.duckdb
#   ./dev.sh test [pytest options]         → run the whole test suite
#   ./dev.sh setup                          → only set up .venv from uv.lock (hash-checked)
set -euo pipefail
cd "$(dirname "$0")"

pick_python() {
    for candidate in "${PYTHON:-}" python3.11 python3; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "dateline needs Python 3.11 (set PYTHON=/path/to/python3.11)" >&2
    return 1
}

setup() {
    if [ ! -x .venv/bin/python ]; then
        "$(pick_python)" -m venv .venv
    fi
    if [ ! -x .venv/bin/uv ]; then
        .venv/bin/python -m pip --version >/dev/null 2>&1 || .venv/bin/python -m ensurepip >/dev/null
        .venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes \
            -r requirements/bootstrap.txt
    fi
    # --locked: fail if uv.lock is out of date; every wheel is checked against its sha256 in uv.lock.
    # --compile-bytecode: every process (a run, its spaCy workers, the temporary Prefect server, each
    # test's subprocess) would otherwise compile Prefect, GX and spaCy from source when
    # PYTHONDONTWRITEBYTECODE is set, about 6 CPU seconds per process on this machine.
    UV_PROJECT_ENVIRONMENT=.venv .venv/bin/uv sync --locked --quiet --compile-bytecode --python .venv/bin/python
}

quiet_prefect() {
    export DO_NOT_TRACK=1 PREFECT_SERVER_ANALYTICS_ENABLED=false
    export PREFECT_HOME="${PREFECT_HOME:-$PWD/.prefect}"
    mkdir -p "$PREFECT_HOME"
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
    setup) setup ;;
    run)
        setup
        quiet_prefect
        exec .venv/bin/dateline run "$@"
        ;;
    test)
        setup
        export DO_NOT_TRACK=1 PREFECT_SERVER_ANALYTICS_ENABLED=false
        tmp="$(mktemp -d)"
        export TMPDIR="$tmp"
        trap 'rm -rf "$tmp"' EXIT
        .venv/bin/python -m pytest "$@"
        ;;
    *)
        echo "usage: ./dev.sh run|test|setup [options]" >&2
        exit 2
        ;;
esac
