#!/bin/sh
# Git pre-commit hook: refuse a commit that adds near-duplicate docs or comments beyond the baseline.
# Install: cp docs/ci/pre-commit-dupes.sh .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit
# (or as a `repo: local` hook in .pre-commit-config.yaml: entry: sh docs/ci/pre-commit-dupes.sh,
# pass_filenames: false). The index is incremental, so after the first run only changed files are read.
# Bypass once with `git commit --no-verify`.
set -eu
MODEL="${T5_SEMANTIC_MODEL:-sentence-transformers/gtr-t5-base}"
BASELINE=.t5-dupes-baseline.sarif
report="$(mktemp)"
trap 'rm -f "$report"' EXIT
set +e
t5-semantic dupes . --model "$MODEL" --offline --json --baseline "$BASELINE" --max-duplication "${T5_SEMANTIC_MAX_DUPLICATION:-5}" > "$report"
status=$?
set -e
if [ "$status" -eq 3 ]; then
  echo "pre-commit: new near-duplicate text (see above); run 't5-semantic dupes . --model $MODEL' for the groups." >&2
  exit 1
fi
exit "$status"
