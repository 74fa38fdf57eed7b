#!/usr/bin/env bash
# Draw the benchmark chart: scripts/bench-chart.sh RESULTS.json OUT.svg
# One group of bars per operation (time relative to the Rust core, log scale), one bar per host,
# drawn by matplotlib (installed with pip into a cache directory when missing).
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: $0 RESULTS.json OUT.svg" >&2; exit 2; }
venv="${XDG_CACHE_HOME:-$HOME/.cache}/xmtp-rs/bench-venv"
if [[ ! -x $venv/bin/python ]] || ! "$venv/bin/python" -c "import matplotlib" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "matplotlib==3.10.*"
fi
"$venv/bin/python" - "$1" "$2" <<'PY'
import json, sys
import matplotlib
matplotlib.use("svg")
import matplotlib.pyplot as plt

results = json.load(open(sys.argv[1]))
rows = results["rows"]
labels = [r.get("short", r["op"]) for r in rows]
hosts = [("Rust core", "rust"), ("xmtp-js 13.0.4", "js")]
fig, ax = plt.subplots(figsize=(9, 4.2))
width = 0.8 / len(hosts)
for i, (name, key) in enumerate(hosts):
    values = [r[key] / r["rust"] for r in rows]
    bars = ax.bar([x + i * width for x in range(len(rows))], values, width, label=name)
    for bar, value in zip(bars, values):
        ax.annotate(f"{value:.3g}×", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center", va="bottom", fontsize=8)
ax.set_yscale("log")
ax.set_ylabel("time (memory) relative to the Rust core")
ax.set_xticks([x + width * (len(hosts) - 1) / 2 for x in range(len(rows))])
ax.set_xticklabels(labels, fontsize=8)
machine = results["machine"]
ax.set_title(f"xmtp-rs vs xmtp-js, one run ({machine['cpus']} cores, Node {machine['node']})", fontsize=10)
ax.legend()
fig.tight_layout()
fig.savefig(sys.argv[2], metadata={"Date": None})
PY
