#!/usr/bin/env python3
"""Module graph of src/ from `crate::` and `super::` paths; reports cycles.

Usage: scripts/module-graph.py [--depth N] [--edges] [--tests] [--layers]

Each .rs file belongs to a module (src/a/b.rs -> a::b, src/a/mod.rs -> a). Every
`crate::x::y` path (in `use` lines, brace groups and inline paths) and every
`super::` path is an edge from the file's module to the target module, cut to
--depth segments (default 1: top-level modules). Code after a `#[cfg(test)]`
line and files named tests.rs are skipped unless --tests is given. Prints the
edges with --edges, then every strongly connected component of more than one
module (a circle); exits 1 when there is one. With --layers, also reads the
`//! L<n>: a, b` lines of src/lib.rs (a name may be a submodule, `demo::data`; the most
specific one listed counts) and reports every edge that does not point to a lower layer,
or within one top-level module from a lower layer up (exit 1 too); run it with
--depth 2 when the list names submodules.
"""
import os, re, sys
from collections import defaultdict

def module_of(path):
    rel = os.path.relpath(path, "src")[:-3].split(os.sep)
    if rel[-1] in ("mod", "lib", "main"):
        rel = rel[:-1]
    return rel

def strip_comments(text):
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)

def expand_use(tree):
    """`a::{b, c::{d}}` -> [a::b, a::c::d]."""
    tree = tree.strip()
    m = re.match(r"^([\w:]*?)::\{(.*)\}$", tree, re.S)
    if not m:
        return [tree]
    prefix, inner = m.group(1), m.group(2)
    parts, depth, cur = [], 0, ""
    for ch in inner:
        if ch == "{": depth += 1
        if ch == "}": depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur); cur = ""
        else:
            cur += ch
    parts.append(cur)
    out = []
    for p in parts:
        p = p.strip()
        if not p: continue
        for e in expand_use(p):
            out.append(prefix if e == "self" else prefix + "::" + e)
    return out

def targets(text, mod):
    paths = []
    for m in re.finditer(r"\buse\s+((?:crate|super|self)::[^;]*);", text, re.S):
        paths += expand_use(re.sub(r"\s+", "", m.group(1)).replace(",}", "}"))
    text_wo_use = re.sub(r"\buse\s+[^;]*;", "", text, flags=re.S)
    paths += re.findall(r"\b((?:crate|super)(?:::\w+)+)", text_wo_use)
    out = []
    for p in paths:
        segs = re.sub(r"\s+as\s+\w+$", "", p).split("::")
        base = list(mod)
        if segs[0] == "crate":
            segs = segs[1:]
            base = []
        else:
            while segs and segs[0] in ("super", "self"):
                if segs[0] == "super":
                    base = base[:-1]
                segs = segs[1:]
        out.append(base + [s for s in segs if s != "*"])
    return out

def main():
    depth = 1
    if "--depth" in sys.argv:
        depth = int(sys.argv[sys.argv.index("--depth") + 1])
    with_tests = "--tests" in sys.argv
    modules = set()
    for root, _, files in os.walk("src"):
        for f in files:
            if f.endswith(".rs"):
                modules.add(tuple(module_of(os.path.join(root, f))))
    edges = defaultdict(set)
    for root, _, files in os.walk("src"):
        for f in files:
            if not f.endswith(".rs"): continue
            path = os.path.join(root, f)
            if f == "tests.rs" and not with_tests: continue
            text = open(path, encoding="utf-8").read()
            if not with_tests:
                text = text.split("#[cfg(test)]")[0]
            mod = module_of(path)
            src = "::".join(mod[:depth]) or "crate"
            for t in targets(strip_comments(text), mod):
                # cut to the longest prefix that is a module, then to depth
                while t and tuple(t) not in modules: t = t[:-1]
                dst = "::".join(t[:depth]) or "crate"
                if dst != "crate" and dst != src and not src.startswith(dst + "::") and not dst.startswith(src + "::"):
                    edges[src].add(dst)
    if "--edges" in sys.argv:
        for s in sorted(edges):
            print(f"{s} -> {', '.join(sorted(edges[s]))}")
    # Tarjan
    index, low, stack, on, sccs, n = {}, {}, [], set(), [], [0]
    nodes = set(edges) | {d for v in edges.values() for d in v}
    def strong(v):
        index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                strong(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v: break
            if len(comp) > 1: sccs.append(sorted(comp))
    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index: strong(v)
    for c in sccs:
        print("circle:", " <-> ".join(c))
    if not sccs:
        print("no circles")
    upward = []
    if "--layers" in sys.argv:
        layer = {}
        for line in open("src/lib.rs", encoding="utf-8"):
            m = re.match(r"^//!\s*L(\d+):\s*(.*)$", line)
            if m:
                for name in m.group(2).split(","):
                    layer[name.strip()] = int(m.group(1))
        def layer_of(mod):
            # the most specific listed prefix: `demo::data` may sit below `demo`
            parts = mod.split("::")
            for n in range(len(parts), 0, -1):
                if "::".join(parts[:n]) in layer:
                    return layer["::".join(parts[:n])]
            return None
        for s in sorted(edges):
            for d in sorted(edges[s]):
                a, b = layer_of(s), layer_of(d)
                inside = s.split("::")[0] == d.split("::")[0]
                if a is None or b is None or (b <= a and not inside) or (b < a and inside):
                    upward.append(f"{s} -> {d} (L{a} -> L{b})")
        for u in upward:
            print("not downward:", u)
        if not upward:
            print("every arrow points down")
    sys.exit(1 if sccs or upward else 0)

main()
