#!/usr/bin/env bash
# Runs the Python code blocks of the notes that are marked runnable (fence info
# "python runnable"), each in its own temp dir, against the pinned packages of
# scripts/note-examples-requirements.txt installed in a venv. Offline once the venv exists:
# the examples use no API keys and no downloads (fake embeddings, numpy). Usage:
#   scripts/run-note-examples.sh            # venv in target/note-examples-venv
#   NOTE_EXAMPLES_VENV=/some/dir scripts/run-note-examples.sh
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${NOTE_EXAMPLES_VENV:-${CARGO_TARGET_DIR:-target}/note-examples-venv}"
req=scripts/note-examples-requirements.txt
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$req" "$venv/requirements.txt"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
  cp "$req" "$venv/requirements.txt"
fi
"$venv/bin/python" - content <<'PY'
import pathlib, subprocess, sys, tempfile

blocks = []
for md in sorted(pathlib.Path(sys.argv[1]).rglob("*.md")):
    lines = md.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        info = lines[i].strip()
        if info.startswith("```") and info[3:].split()[:2] == ["python", "runnable"]:
            start = i + 1
            j = start
            while j < len(lines) and not lines[j].strip().startswith("```"):
                j += 1
            blocks.append((md, start + 1, "\n".join(lines[start:j]) + "\n"))
            i = j
        i += 1

if not blocks:
    sys.exit("no ```python runnable blocks found under content/")
failed = 0
for md, line, code in blocks:
    with tempfile.TemporaryDirectory() as tmp:
        run = subprocess.run([sys.executable, "-c", code], cwd=tmp, capture_output=True, text=True)
    status = "ok" if run.returncode == 0 else "FAILED"
    print(f"{status:6} {md}:{line}")
    if run.returncode != 0:
        failed += 1
        print(run.stdout + run.stderr, file=sys.stderr)
print(f"{len(blocks) - failed} of {len(blocks)} runnable examples passed")
sys.exit(1 if failed else 0)
PY
