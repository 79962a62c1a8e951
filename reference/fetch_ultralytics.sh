#!/usr/bin/env bash
# Fetches the ultralytics source a reference script runs into reference/.ultralytics/<version> (git-ignored; the
# repository never vendors it) and prints that folder. Versions: 8.2.82 (the YOLOv8 semantics the fixtures of
# every module package follow) and 8.4.104 (YOLO11, YOLO12, YOLO26; upstream commit b4a0b6a4).
#   reference/fetch_ultralytics.sh 8.2.82
# PLUGCONV_ULTRALYTICS_REMOTE picks another clone (default upstream; e.g. https://github.com/adi9820/ultralytics),
# PLUGCONV_ULTRALYTICS_REF a tag or full commit to fetch instead of the version's tag.
set -euo pipefail
version=${1:?usage: reference/fetch_ultralytics.sh 8.2.82|8.4.104}
case "$version" in
  8.2.82) commit_prefix= ;;
  8.4.104) commit_prefix=b4a0b6a4 ;;
  *) echo "fetch_ultralytics.sh: no pinned ultralytics $version (known: 8.2.82, 8.4.104)" >&2; exit 2 ;;
esac
remote=${PLUGCONV_ULTRALYTICS_REMOTE:-https://github.com/ultralytics/ultralytics}
ref=${PLUGCONV_ULTRALYTICS_REF:-v$version}
dest="$(cd "$(dirname "$0")" && pwd)/.ultralytics/$version"

if [ ! -f "$dest/ultralytics/__init__.py" ]; then
  rm -rf "$dest"
  mkdir -p "$dest"
  git -C "$dest" init --quiet
  git -C "$dest" fetch --quiet --depth 1 "$remote" "$ref"
  git -C "$dest" checkout --quiet FETCH_HEAD
fi

found=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$dest/ultralytics/__init__.py")
if [ "$found" != "$version" ]; then
  echo "fetch_ultralytics.sh: $dest holds ultralytics $found, not $version; remove the folder and fetch again" >&2
  exit 1
fi
head=$([ -d "$dest/.git" ] && git -C "$dest" rev-parse HEAD || echo unknown)
if [ -n "$commit_prefix" ] && [ "${head#"$commit_prefix"}" = "$head" ]; then
  echo "fetch_ultralytics.sh: warning: $dest is at $head, not upstream $commit_prefix" >&2
fi
echo "$dest"
