#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fails when a folder includes one it must not (DESIGN §2).

Arrows point one way: app -> ui -> services -> backend, sync -> backend,
ui -> sync, app -> sync. Inside backend, core depends on nothing. QtWidgets
and QApplication appear only in ui/ and app/console/.
"""
import pathlib
import re
import sys
import tempfile

# folder -> folders of ours it may include
ALLOWED = {
    "backend": {"backend"},
    "services": {"services", "backend"},
    "sync": {"sync", "backend"},
    "ui": {"ui", "services", "sync", "backend"},
    "app": {"app", "ui", "services", "sync", "backend", "resources"},
    "tests": None,  # tests may include anything
    "bench": {"bench", "app", "services", "sync", "backend"},
}
# backend sub-folder -> backend sub-folders it must not include
BACKEND_FORBIDDEN = {
    "core": {"config", "observability", "resilience", "db", "events", "http", "auth"},
    "auth": {"db", "events", "http", "resilience"},
    "config": {"observability", "resilience", "db", "events", "http"},
    "observability": {"config", "resilience", "db", "events", "http"},
    "resilience": {"db", "events", "http"},
    "db": {"events", "http", "resilience"},
    "events": {"http"},
    "http": {"db", "events", "auth"},
}
WIDGET_OK = ("ui/", "app/console/", "tests/ui/")
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)
WIDGETS = re.compile(r"^(QtWidgets/|QApplication$|QWidget$|QMainWindow$|QDialog$)")


def violations(root: pathlib.Path):
    found = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".h", ".cpp") or "build" in path.relative_to(root).parts[:1]:
            continue
        rel = path.relative_to(root).as_posix()
        top = rel.split("/")[0]
        if top not in ALLOWED:
            continue
        for inc in INCLUDE.findall(path.read_text(errors="replace")):
            target = inc.split("/")[0]
            if WIDGETS.match(inc) and not rel.startswith(WIDGET_OK):
                found.append(f"{rel}: includes {inc}; widgets belong in ui/ and app/console/ only")
            allowed = ALLOWED[top]
            if allowed is not None and target in ALLOWED and target not in allowed:
                found.append(f"{rel}: {top}/ must not include {inc}")
            if top == "backend" and target == "backend":
                mine = rel.split("/")[1]
                theirs = inc.split("/")[1] if inc.count("/") >= 2 else ""
                if theirs in BACKEND_FORBIDDEN.get(mine, set()):
                    found.append(f"{rel}: backend/{mine} must not include {inc}")
    return found


def self_test() -> int:
    """The check must catch a planted violation, or it proves nothing."""
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        (root / "backend" / "db").mkdir(parents=True)
        (root / "services" / "content").mkdir(parents=True)
        (root / "backend" / "db" / "ok.h").write_text('#include "backend/core/error.h"\n')
        if violations(root):
            print("self-test: a clean tree was reported", file=sys.stderr)
            return 1
        (root / "backend" / "db" / "bad.cpp").write_text('#include "services/content/contentservice.h"\n')
        (root / "services" / "content" / "bad.cpp").write_text("#include <QApplication>\n")
        found = violations(root)
        if len(found) != 2:
            print(f"self-test: expected 2 violations, got {found}", file=sys.stderr)
            return 1
    print("self-test: planted violations detected")
    return 0


def main() -> int:
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    found = violations(pathlib.Path(sys.argv[1]))
    for line in found:
        print(f"layering: {line}", file=sys.stderr)
    if not found:
        print("layering: all include arrows point the right way")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
