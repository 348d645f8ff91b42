#!/usr/bin/env python3
"""Checks the rules of the house that the compiler alone does not.

The build already keeps a room from including another room's headers
unless its CMake target links that room (each room's include directory is
the folder itself). This script checks, over the source tree:
  1. every #include "..." resolves inside the file's own room or a room its
     CMakeLists.txt links (directly or through a PUBLIC chain), and impl/
     includes nothing of the harness;
  2. the rooms' dependency graph has no cycle, and no header includes
     itself through other headers;
  3. only the command line (harness/cli) names stdout or stderr, prints
     (printf, puts, perror), exits or parses argv (getopt): library code
     returns errors;
  4. no source file is over 600 lines and no function over 80 lines,
     except those listed with their reason in scripts/layout-exceptions.txt
     (keys: PATH for a file, PATH:FUNCTION for a function, and
     PATH:FUNCTION:WHAT for a use that rule 3 forbids, WHAT being the first
     word of the message: names, prints, exits, parses).
Prints every violation and exits 1 if there is one.
  scripts/check-layout.py [SOURCE_DIR]
"""
import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                       os.path.join(os.path.dirname(__file__), ".."))
MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 80
FORBIDDEN_OUTSIDE_CLI = [
    (re.compile(r"\bstdout\b"), "names stdout"),
    (re.compile(r"\bstderr\b"), "names stderr"),
    (re.compile(r"(?<![\w.>])printf\s*\("), "prints (printf)"),
    (re.compile(r"\bputs\s*\("), "prints (puts)"),
    (re.compile(r"\bperror\s*\("), "prints (perror)"),
    (re.compile(r"(?<![\w.>])_?exit\s*\("), "exits"),
    (re.compile(r"\bgetopt"), "parses argv"),
]


def rooms():
    """Room name -> directory, for every library folder."""
    found = {"impl": os.path.join(ROOT, "impl"), "reports": os.path.join(ROOT, "reports")}
    harness = os.path.join(ROOT, "harness")
    for name in sorted(os.listdir(harness)):
        d = os.path.join(harness, name)
        if os.path.isfile(os.path.join(d, "CMakeLists.txt")):
            found[name] = d
    return found


def target_room(target, room_of_target):
    if target in ("vtb", "vtb_internal"):
        return "impl"
    return room_of_target.get(target)


def declared_deps(room_dirs):
    """Room -> set of rooms it may use, from target_link_libraries."""
    room_of_target = {}
    texts = {}
    for room, d in room_dirs.items():
        text = open(os.path.join(d, "CMakeLists.txt")).read()
        texts[room] = text
        for m in re.finditer(r"add_library\((\w+)", text):
            room_of_target[m.group(1)] = room
    direct = {}
    for room, text in texts.items():
        deps = set()
        for m in re.finditer(r"target_link_libraries\(\s*(\w+)([^)]*)\)", text, re.S):
            if room_of_target.get(m.group(1), "impl" if m.group(1) == "vtb" else None) != room:
                continue
            for word in m.group(2).split():
                other = target_room(word, room_of_target)
                if other is not None and other != room:
                    deps.add(other)
        direct[room] = deps
    closure = {}
    for room in direct:
        seen, todo = set(), list(direct[room])
        while todo:
            r = todo.pop()
            if r not in seen:
                seen.add(r)
                todo.extend(direct.get(r, ()))
        closure[room] = seen
    return direct, closure


def sources(room_dirs):
    for room, d in room_dirs.items():
        for base, dirs, files in os.walk(d):
            dirs[:] = [x for x in dirs if not x.startswith("build")]
            for f in files:
                if f.endswith((".c", ".h")):
                    yield room, os.path.join(base, f)


def strip_comments_and_strings(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r'"(\\.|[^"\\\n])*"', '""', text)


def function_spans(lines):
    """(name, first line, length) of each function defined at column 0."""
    spans, start, name = [], None, None
    for i, line in enumerate(lines):
        if start is None and line.startswith("{") and i > 0:
            head = " ".join(lines[max(0, i - 3):i])
            m = re.search(r"(\w+)\s*\([^;()]*(\([^()]*\)[^;()]*)*\)\s*(__attribute__.*)?$", head)
            if m:
                start, name = i, m.group(1)
        elif start is not None and line.startswith("}"):
            spans.append((name, start + 1, i - start + 1))
            start = None
    return spans


def main():
    room_dirs = rooms()
    direct, allowed = declared_deps(room_dirs)
    exceptions = {}
    exc_path = os.path.join(ROOT, "scripts", "layout-exceptions.txt")
    if os.path.exists(exc_path):
        for line in open(exc_path):
            line = line.strip()
            if line and not line.startswith("#"):
                key, _, reason = line.partition(" ")
                exceptions[key] = reason.strip()
    header_room, header_path = {}, {}
    files = list(sources(room_dirs))
    for room, path in files:
        if path.endswith(".h"):
            rel = os.path.relpath(path, room_dirs[room])
            for key in {os.path.basename(path), rel.split("include/", 1)[-1].split("internal/", 1)[-1]}:
                header_room.setdefault(key, room)
                header_path.setdefault(key, path)
    problems, used_exceptions = [], set()
    includes_of = {}
    for room, path in files:
        rel = os.path.relpath(path, ROOT)
        raw = open(path).read()
        text = strip_comments_and_strings(raw)
        incs = re.findall(r'^\s*#\s*include\s+"([^"]+)"', raw, re.M)
        includes_of[path] = [header_path[i] for i in incs if i in header_path]
        for inc in incs:
            local = os.path.join(os.path.dirname(path), inc)
            other = room if os.path.exists(local) else header_room.get(inc)
            if other is None or other == room:
                continue
            if other not in allowed.get(room, set()):
                problems.append(f"{rel}: includes {inc} of room {other}, which {room} does not link")
        spans = function_spans(text.split("\n"))
        if room != "cli":
            for n, line in enumerate(text.split("\n"), 1):
                for pattern, what in FORBIDDEN_OUTSIDE_CLI:
                    if not pattern.search(line):
                        continue
                    inside = [name for name, first, length in spans if first <= n < first + length]
                    key = f"{rel}:{inside[0] if inside else '-'}:{what.split()[0]}"
                    if key in exceptions:
                        used_exceptions.add(key)
                    else:
                        problems.append(f"{rel}:{n}: {what} outside harness/cli ({key})")
        lines = raw.split("\n")
        if len(lines) - 1 > MAX_FILE_LINES:
            if rel in exceptions:
                used_exceptions.add(rel)
            else:
                problems.append(f"{rel}: {len(lines) - 1} lines (over {MAX_FILE_LINES})")
        for name, first, length in spans:
            key = f"{rel}:{name}"
            if length > MAX_FUNCTION_LINES:
                if key in exceptions:
                    used_exceptions.add(key)
                else:
                    problems.append(f"{rel}:{first}: function {name} has {length} lines "
                                    f"(over {MAX_FUNCTION_LINES})")
    # Cycles among rooms, then among headers.
    def find_cycle(graph):
        state = {}
        def visit(node, trail):
            state[node] = 1
            for nxt in graph.get(node, ()):
                if state.get(nxt) == 1:
                    return trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt]
                if nxt not in state:
                    cycle = visit(nxt, trail + [nxt])
                    if cycle:
                        return cycle
            state[node] = 2
            return None
        for node in list(graph):
            if node not in state:
                cycle = visit(node, [node])
                if cycle:
                    return cycle
        return None
    cycle = find_cycle(direct)
    if cycle:
        problems.append("rooms depend on each other in a cycle: " + " -> ".join(cycle))
    headers = {p: [q for q in incs if q != p] for p, incs in includes_of.items() if p.endswith(".h")}
    cycle = find_cycle(headers)
    if cycle:
        problems.append("headers include each other in a cycle: " +
                        " -> ".join(os.path.relpath(p, ROOT) for p in cycle))
    for key in sorted(set(exceptions) - used_exceptions):
        problems.append(f"scripts/layout-exceptions.txt: {key} is no longer an exception: remove it")
    for p in problems:
        print("layout: " + p)
    print(f"layout: {len(files)} files in {len(room_dirs)} rooms, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
