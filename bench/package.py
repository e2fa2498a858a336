"""The deployment package as `sam build` makes it: src/ (template.yaml CodeUri) plus what pip installs from src/requirements.txt.

src/requirements.txt pins Powertools, so the package carries it and its
dependencies (jmespath, typing-extensions); boto3 comes with the Lambda
runtime and is not bundled. The distributions are read from this
environment, which runs the very versions pinned there (tests/template
checks that the pins agree), so no download is needed. Like sam build, the
zip leaves out bytecode caches.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import Distribution, distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bench.cold_start import SRC

LEFT_OUT = ("__pycache__", ".pyc")
REQUIREMENTS = SRC / "requirements.txt"


@dataclass(frozen=True)
class Package:
    files: int
    bytes: int  # unzipped
    zipped: int
    code_files: int  # of those, the function's own code (src/)
    code_bytes: int
    bundled: tuple[str, ...]  # name==version of each distribution installed from src/requirements.txt


def measure_package(code_dir: Path = SRC, requirements: Path = REQUIREMENTS) -> Package:
    code = sorted((path.relative_to(code_dir).as_posix(), path) for path in code_dir.rglob("*") if _shipped(path))
    distributions = bundled_distributions(requirements)
    installed = sorted(entry for dist in distributions for entry in _installed_files(dist))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, path in code + installed:
            archive.write(path, name)
    return Package(
        files=len(code) + len(installed),
        bytes=sum(path.stat().st_size for _, path in code + installed),
        zipped=len(buffer.getvalue()),
        code_files=len(code),
        code_bytes=sum(path.stat().st_size for _, path in code),
        bundled=tuple(f"{dist.metadata['Name']}=={dist.version}" for dist in distributions),
    )


def bundled_distributions(requirements: Path = REQUIREMENTS) -> list[Distribution]:
    """The pinned requirements and, as pip resolves them, their dependencies (extras left out)."""
    lines = [line.split("#")[0].strip() for line in requirements.read_text().splitlines()]
    pending = [Requirement(line) for line in lines if line]
    found: dict[str, Distribution] = {}
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        if name in found:
            continue
        found[name] = distribution(requirement.name)
        for spec in found[name].requires or []:
            dependency = Requirement(spec)
            if dependency.marker is None or dependency.marker.evaluate({"extra": ""}):
                pending.append(dependency)
    return [found[name] for name in sorted(found)]


def _installed_files(dist: Distribution) -> Iterator[tuple[str, Path]]:
    """(name in the zip, file on disk) for what `pip install --target` puts at the package's root."""
    for file in dist.files or []:
        path = Path(str(dist.locate_file(file)))
        if not file.as_posix().startswith("..") and _shipped(path):
            yield file.as_posix(), path


def _shipped(path: Path) -> bool:
    return path.is_file() and not any(part.endswith(LEFT_OUT) for part in path.parts)
