"""The scaling plot of `bench/report.py plot`: throughput and p99 latency
against clients, from a bench JSON (bench/results/latest.json).

Left column: SQUARES, original framing, N lockstep clients (bridge+core, the
raw epoll server `direct`, the original Python server where it was run).
Right column: unary Square over gRPC with C calls outstanding on one channel
(the core, grpc-go). A system with no figure in the JSON is left out.
"""

LEGACY = ("SQUARES original {n} client{s}", (1, 64, 256, 1000, 10000),
          (("bridge+core", "bridge+core", "o-"), ("direct", "direct (raw epoll)", "s--"),
           ("python", "Python original", "^:")))
GRPC = ("unary Square c{n}", (1, 16, 256),
        (("core", "core", "o-"), ("grpc-go", "grpc-go", "s--")))


def series(results, pattern, counts, system):
    """[(clients, ops/s, p99 ms)] of SYSTEM over the scenarios of PATTERN."""
    points = []
    for n in counts:
        scenario = pattern.format(n=n, s="" if n == 1 else "s")
        for r in results:
            if r.get("scenario") == scenario and r.get("system") == system and r.get("ops"):
                points.append((n, r["ops_per_s"], r["p99_us"] / 1000.0))
                break
    return points


def render(doc, out):
    """Writes the plot to OUT (format from its extension); returns the number of
    series drawn (0: nothing in the JSON to plot, no file written)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = doc.get("results", [])
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5))
    drawn = 0
    for column, (pattern, counts, systems), xlabel, title in (
            (0, LEGACY, "lockstep clients", "SQUARES, original framing"),
            (1, GRPC, "calls outstanding on one channel", "unary Square over gRPC")):
        top, bottom = axes[0][column], axes[1][column]
        for system, label, style in systems:
            points = series(results, pattern, counts, system)
            if not points:
                continue
            drawn += 1
            xs = [p[0] for p in points]
            top.plot(xs, [p[1] / 1000.0 for p in points], style, label=label)
            bottom.plot(xs, [p[2] for p in points], style, label=label)
        top.set_title(title)
        top.set_ylabel("throughput (thousands/s)")
        top.set_ylim(bottom=0)
        bottom.set_ylabel("p99 latency (ms)")
        bottom.set_yscale("log")
        for ax in (top, bottom):
            ax.set_xscale("log")
            ax.set_xticks(counts)
            ax.set_xticklabels([f"{n:,}" for n in counts])
            ax.set_xlabel(xlabel)
            ax.grid(True, which="both", alpha=0.3)
            if ax.get_legend_handles_labels()[0]:
                ax.legend(fontsize=8)
    meta = doc.get("meta", {})
    fig.suptitle(f"sockrpc bench, {meta.get('date', '?')}: {meta.get('nproc', '?')} x "
                 f"{meta.get('cpu_model', '?')}, load generator on the same machine", fontsize=9)
    fig.tight_layout()
    if drawn:
        fig.savefig(out, dpi=100)
    plt.close(fig)
    return drawn
