#!/usr/bin/env python3
"""Rejects any #include of a varpulis header from a layer above the including file's layer.

Layers (DESIGN.md): cli -> server -> io -> engine -> {lang, state} -> core. A link line does not
stop an upward include, so this check does. Usage: check_layers.py SRC_DIR (src/varpulis).
"""
import pathlib
import re
import sys

ALLOWED = {
    "core": {"core"},
    "lang": {"lang", "core"},
    "state": {"state", "core"},
    "engine": {"engine", "lang", "state", "core"},
    "io": {"io", "engine", "lang", "state", "core"},
    "server": {"server", "io", "engine", "lang", "state", "core"},
    "cli": {"cli", "server", "io", "engine", "lang", "state", "core"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s*"varpulis/([a-z_]+)/')


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "src/varpulis")
    errors = []
    files = 0
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".h", ".cc"):
            continue
        layer = path.relative_to(root).parts[0]
        if layer not in ALLOWED:
            errors.append(f"{path}: file outside the known layers ({layer})")
            continue
        files += 1
        for lineno, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            m = INCLUDE.match(line)
            if m and m.group(1) not in ALLOWED[layer]:
                errors.append(f"{path}:{lineno}: layer '{layer}' includes '{m.group(1)}' "
                              f"(allowed: {', '.join(sorted(ALLOWED[layer]))})")
    for e in errors:
        print(e, file=sys.stderr)
    print(f"check_layers: {files} files, {len(errors)} violations")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
