#!/bin/sh
# Prints the path of a Python 3.13 interpreter, or exits 1 when there is none.
# Lambda runs python3.13: `make test` runs the unit and integration suites
# under it too, and `sam build` needs it on PATH. Looked for, in order:
# $PYTHON313, python3.13 on PATH (a pyenv shim only answers when 3.13 is
# selected), then pyenv's installed 3.13 versions.
pyenv_root=$(pyenv root 2>/dev/null)
for candidate in "${PYTHON313:-}" python3.13 ${pyenv_root:+"$pyenv_root"/versions/3.13*/bin/python3.13}; do
    [ -n "$candidate" ] || continue
    path=$(command -v "$candidate" 2>/dev/null) || continue
    # Print the interpreter's own path, not a shim's.
    "$path" -c 'import sys; assert sys.version_info[:2] == (3, 13); print(sys.executable)' 2>/dev/null && exit 0
done
exit 1
