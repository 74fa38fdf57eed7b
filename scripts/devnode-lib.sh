# Sourced by the packages' test scripts (needs $root, the repository root):
#
#   start_devnode DIR [ARG...]
#                       builds xmtp-devnode, starts it on a free loopback port (in memory, no
#                       rate limit, publish authentication on; ARGs are added, e.g. --no-auth)
#                       with its output in DIR/node.out, and waits for its URL. Sets devnode_url
#                       and devnode_pid; stopping it is the caller's (its EXIT trap). The debug
#                       build, or the release build with DEVNODE_PROFILE=release.
#   wait_for_url FILE NAME
#                       prints the URL of the "NAME listening on http://…" line of FILE once it
#                       is there (10 s at most; fails otherwise).
# shellcheck shell=bash

wait_for_url() {
  local u
  for _ in $(seq 100); do
    u=$(sed -n "s/^$2 listening on \(http:[^ ]*\).*/\1/p" "$1" | head -1)
    [[ -n $u ]] && { echo "$u"; return 0; }
    sleep 0.1
  done
  return 1
}

start_devnode() {
  local out=$1/node.out profile=${DEVNODE_PROFILE:-debug}
  shift
  local release=()
  [[ $profile == release ]] && release=(--release)
  (cd "$root" && cargo build -q "${release[@]}" -p xmtp-devnode --bin xmtp-devnode)
  "${CARGO_TARGET_DIR:-$root/target}/$profile/xmtp-devnode" --listen 127.0.0.1:0 --memory --no-rate-limit \
    --quiet "$@" >"$out" 2>&1 &
  devnode_pid=$!
  devnode_url=$(wait_for_url "$out" xmtp-devnode) || {
    echo "the devnode did not start: $(cat "$out")" >&2
    return 1
  }
}
