#!/bin/sh
# Ingest the sample library on first start (empty index), then run the given kb command.
set -e
if [ "$1" = "serve" ]; then
  count=$(kb documents --json | python -c 'import json,sys; print(len(json.load(sys.stdin)["documents"]))')
  if [ "$count" = "0" ]; then
    echo "The library is empty: ingesting ${KB_CORPUS_DIR} ..."
    kb ingest || echo "some files failed to ingest; see the summary above"
  fi
fi
exec kb "$@"
