"""The deployment package: the function's code (template.yaml CodeUri: src/), zipped as `sam build` would.

boto3 comes with the Lambda runtime and Powertools with its public layer, so
the package holds our code only. Like sam build, the zip leaves out bytecode
caches.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bench.cold_start import SRC

LEFT_OUT = ("__pycache__", ".pyc")


@dataclass(frozen=True)
class Package:
    files: int
    bytes: int  # unzipped
    zipped: int


def measure_package(code_dir: Path = SRC) -> Package:
    files = sorted(
        path for path in code_dir.rglob("*") if path.is_file() and not any(part.endswith(LEFT_OUT) for part in path.parts)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.relative_to(code_dir).as_posix())
    return Package(len(files), sum(path.stat().st_size for path in files), len(buffer.getvalue()))
