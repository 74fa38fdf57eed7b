#!/usr/bin/env bash
# Load benchmark of xmtp-devnode (release build): 50 live subscribers (48 on one topic each, 2 on
# every topic) and 8 publishing threads for 5 s against a node with durable storage and auth on,
# then a check that no acknowledged envelope is missing anywhere. Extra arguments go to the
# example (see devnode/examples/load.rs), e.g. `--seconds 10 --batch 4`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec cargo run --release -q -p xmtp-devnode --example load -- "$@"
