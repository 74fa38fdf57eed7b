#!/usr/bin/env bash
# Draw the benchmark chart: scripts/bench-chart.sh RESULTS.json OUT.svg
# One group of bars per operation (time relative to the Rust core, log scale), one bar per host;
# when the results have the packages' rows, a panel with reading per message in each host (the
# Rust facade, Kotlin, Swift, the npm package, xmtp-js); when they have the sync rows, a panel
# with listing, syncing, sending and memory over HTTP (Rust core, Kotlin, Swift, the npm
# package, xmtp-js). Drawn by matplotlib (installed with pip into a cache directory when missing).
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
# One color per host in every panel.
color = {"Rust core": "C0", "xmtp-js 13.0.4": "C1", "Rust facade": "C2", "Kotlin (JVM)": "C3",
         "Kotlin": "C3", "Swift": "C4", "npm package": "C5"}
rows = results["rows"]
labels = [r.get("short", r["op"]) for r in rows]
hosts = [("Rust core", "rust"), ("xmtp-js 13.0.4", "js")]
packages = results.get("packages") or {}
npm, bindings = packages.get("npm"), packages.get("hosts") or []
sync = results.get("sync") or []
two = bool(npm or bindings)
ratios = [3] + ([2] if two else []) + ([3] if sync else [])
fig, axes = plt.subplots(1, len(ratios), figsize=(4.7 * sum(ratios) / 2 + 2, 4.2),
                         gridspec_kw={"width_ratios": ratios}, squeeze=False)
axes = list(axes[0])
ax = axes[0]
width = 0.8 / len(hosts)
for i, (name, key) in enumerate(hosts):
    values = [r[key] / r["rust"] for r in rows]
    bars = ax.bar([x + i * width for x in range(len(rows))], values, width, label=name, color=color[name])
    for bar, value in zip(bars, values):
        ax.annotate(f"{value:.3g}×", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center", va="bottom", fontsize=8)
ax.set_yscale("log")
ax.set_ylabel("time (memory) relative to the Rust core")
ax.set_xticks([x + width * (len(hosts) - 1) / 2 for x in range(len(rows))])
ax.set_xticklabels(labels, fontsize=8, rotation=15)
machine = results["machine"]
ax.set_title(f"xmtp-rs vs xmtp-js, one run ({machine['cpus']} cores, Node {machine['node']})", fontsize=10)
ax.legend()
if two:
    # Reading 1,000 V2 messages, ms per message: decryption in each binding beside the Rust
    # facade of the same run, and conversation.messages() in Node (npm package vs xmtp-js).
    bars = []
    if bindings:
        bars.append(("Rust facade", bindings[0]["facade"]))
    bars += [(h["host"], h["ms"]) for h in bindings]
    if npm:
        bars += [("npm package", npm["read_ms_per_message"]["xmtprs"]),
                 ("xmtp-js 13.0.4", npm["read_ms_per_message"]["xmtpjs"])]
    px = axes[1]
    drawn = px.bar(range(len(bars)), [v for _, v in bars], color=[color[n] for n, _ in bars])
    for bar, (_, value) in zip(drawn, bars):
        px.annotate(f"{value:.3g}", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center", va="bottom", fontsize=8)
    px.set_yscale("log")
    px.set_ylabel("ms per message")
    px.set_xticks(range(len(bars)))
    px.set_xticklabels([n for n, _ in bars], fontsize=8, rotation=15)
    px.set_title("reading 1,000 V2 messages in each package", fontsize=10)
if sync:
    # Over HTTP against one devnode: each client's time (memory) relative to the Rust core's.
    sx = axes[-1]
    clients = [("Rust core", "rust"), ("Kotlin", "kotlin"), ("Swift", "swift"), ("npm package", "npm"),
               ("xmtp-js 13.0.4", "js")]
    w = 0.8 / len(clients)
    for i, (name, key) in enumerate(clients):
        have = [(x, r[key] / r["rust"]) for x, r in enumerate(sync) if r.get(key)]
        values = [v for _, v in have]
        drawn = sx.bar([x + i * w for x, _ in have], values, w, label=name, color=color[name])
        for bar, value in zip(drawn, values):
            sx.annotate(f"{value:.3g}×", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        ha="center", va="bottom", fontsize=8)
    sx.set_yscale("log")
    sx.set_xticks([x + w * (len(clients) - 1) / 2 for x in range(len(sync))])
    sx.set_xticklabels([r["short"] for r in sync], fontsize=8)
    sx.set_title("over HTTP, one devnode (relative to the Rust core)", fontsize=10)
    sx.legend(fontsize=8)
fig.tight_layout()
fig.savefig(sys.argv[2], metadata={"Date": None})
PY
