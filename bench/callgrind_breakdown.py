#!/usr/bin/env python3
"""Where a process's instructions go, from callgrind dumps (bench/profile.sh --keep).

  callgrind_breakdown.py [--base A.callgrind] [--ops N] [--top K] B.callgrind

Reads the self cost of every function from the dumps, subtracts
the --base dump if given (the shorter run of profile.sh, so that what remains
is the extra round trips alone), and prints the share of each class (the
gRPC libraries, allocation, the project's own code, libc, ...) and the top K
functions, per --ops round trips when given. Python standard library only.
"""
import argparse
import re
import sys

ALLOCATION = re.compile(
    r"^(malloc|free|calloc|realloc|cfree|_int_malloc|_int_free|_int_realloc|malloc_consolidate|"
    r"sysmalloc|unlink_chunk.*|tcache_\w+|operator new.*|operator delete.*|__libc_\w*alloc|"
    r"__libc_free|posix_memalign|aligned_alloc|_mid_memalign|memalign|__default_morecore|"
    r"gpr_malloc|gpr_free|gpr_zalloc|gpr_realloc|gpr_malloc_aligned|gpr_free_aligned)(\(.*)?$")
GRPC_LIBS = re.compile(r"/lib(grpc|gpr|upb|address_sorting|re2|cares|ssl|crypto|z)[._+]")
PROJECT = re.compile(r"/(rpc_server|legacy_bridge|direct_squares_server)$")

CLASSES = ["gRPC (libgrpc, libgpr, libgrpc++)", "Abseil (mutexes, strings, time)", "Protobuf",
           "allocation", "project's own code", "libstdc++",
           "libc (copies, syscall wrappers, ...)", "dynamic linker (thread-local lookups)", "GMP",
           "other"]


def classify(function, obj):
    if ALLOCATION.match(function):
        return "allocation"
    if obj and GRPC_LIBS.search(obj):
        return "gRPC (libgrpc, libgpr, libgrpc++)"
    if obj and "/libabsl_" in obj:
        return "Abseil (mutexes, strings, time)"
    if obj and "/libprotobuf" in obj:
        return "Protobuf"
    if obj and PROJECT.search(obj):
        return "project's own code"
    if obj and "libstdc++" in obj:
        return "libstdc++"
    if obj and re.search(r"/libc\.so|/libm\.so|libpthread", obj):
        return "libc (copies, syscall wrappers, ...)"
    if obj and "ld-linux" in obj:
        return "dynamic linker (thread-local lookups)"
    if obj and "libgmp" in obj:
        return "GMP"
    return "other"


def self_costs(path):
    """{(function, object): self instructions} of one dump, read from the file
    itself: callgrind_annotate 3.19 counts the calls still on the stack at a
    dump (calls=0 lines) as the caller's own cost."""
    tables = {"ob": {}, "fl": {}, "fn": {}}
    kinds = {"ob": "ob", "cob": "ob", "fl": "fl", "fi": "fl", "fe": "fl", "cfi": "fl",
             "cfl": "fl", "fn": "fn", "cfn": "fn"}
    costs = {}
    obj = function = ""
    after_calls = False
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            key, eq, rest = line.partition("=")
            if eq and key in kinds:
                m = re.match(r"\((\d+)\)(?: (.*))?$", rest)
                table = tables[kinds[key]]
                if m:
                    if m.group(2) is not None:
                        table[m.group(1)] = m.group(2)
                    value = table.get(m.group(1), "?")
                else:
                    value = rest
                if key == "ob":
                    obj = value
                elif key == "fn":
                    function = value
                continue
            if line.startswith("calls="):
                after_calls = True
                continue
            if line[:1].isdigit() or line[:1] in ("+", "-", "*"):
                if after_calls:  # the inclusive cost of a call, not the function's own
                    after_calls = False
                    continue
                parts = line.split()
                if len(parts) >= 2:
                    costs[(function, obj)] = costs.get((function, obj), 0) + int(parts[1])
    return costs


def short(function, obj):
    name = re.sub(r"\(.*", "", function)
    lib = obj.rsplit("/", 1)[-1] if obj else "?"
    return f"{name[:90]} [{lib}]"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dump")
    parser.add_argument("--base", help="dump of the shorter run, subtracted")
    parser.add_argument("--ops", type=float, default=0, help="round trips the difference covers")
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    if args.ops < 0 or args.top < 1:
        print("callgrind_breakdown.py: --ops >= 0 and --top >= 1", file=sys.stderr)
        sys.exit(2)

    costs = self_costs(args.dump)
    if args.base:
        for key, value in self_costs(args.base).items():
            costs[key] = costs.get(key, 0) - value
    total = sum(costs.values())
    if total <= 0:
        print("callgrind_breakdown.py: no instructions left", file=sys.stderr)
        sys.exit(1)
    per = args.ops if args.ops > 0 else 1
    unit = "per round trip" if args.ops > 0 else "in all"

    by_class = {c: 0 for c in CLASSES}
    for (function, obj), value in costs.items():
        by_class[classify(function, obj)] += value
    print(f"instructions {unit}: {total / per:,.0f}")
    print(f"| class | instructions {unit} | share |")
    print("| --- | ---: | ---: |")
    for c in CLASSES:
        if by_class[c]:
            print(f"| {c} | {by_class[c] / per:,.0f} | {100 * by_class[c] / total:.1f}% |")
    print()
    print(f"| top functions (self) | instructions {unit} | share |")
    print("| --- | ---: | ---: |")
    for (function, obj), value in sorted(costs.items(), key=lambda kv: -kv[1])[:args.top]:
        print(f"| `{short(function, obj)}` | {value / per:,.0f} | {100 * value / total:.1f}% |")


if __name__ == "__main__":
    main()
