#!/bin/bash
# Usage: bench/clone.sh <dir> [rev]  — a clone of this tree whose @shegong/* packages resolve to the
# clone itself (node_modules is a real directory: one symlink per entry into this tree's, except
# @shegong, whose links point into the clone). A symlinked node_modules would run this tree's code.
set -e
dir=$1; rev=${2:-HEAD}
src=$(cd "$(dirname "$0")/.." && pwd)
[ -e "$dir" ] && { echo "$dir already exists: remove it first" >&2; exit 1; }
git clone -q "$src" "$dir"; (cd "$dir" && git checkout -q "$rev")
mkdir "$dir/node_modules"
for e in $src/node_modules/* $src/node_modules/.bin $src/node_modules/.package-lock.json; do
  [ "$(basename "$e")" = "@shegong" ] && continue
  [ -e "$e" ] && ln -s "$e" "$dir/node_modules/$(basename "$e")"
done
mkdir "$dir/node_modules/@shegong"
for p in shared policy server web cli; do ln -s "../../packages/$p" "$dir/node_modules/@shegong/$p"; done
for p in shared policy server web cli; do
  [ -d "$src/packages/$p/node_modules" ] && ln -s "$src/packages/$p/node_modules" "$dir/packages/$p/node_modules"
done
cd "$dir" && node -e "console.log('clone', process.cwd(), '@shegong/server ->', require('fs').realpathSync('node_modules/@shegong/server'))"
