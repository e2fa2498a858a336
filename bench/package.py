"""The deployment package as `sam build` makes it (src/Makefile): the reconciler, what pip installs from
src/requirements.txt, and their bytecode.

src/requirements.txt pins Powertools, so the package carries it and its
dependencies (jmespath, typing-extensions); boto3 comes with the Lambda
runtime and is not bundled. The distributions are copied from this
environment, which runs the very versions pinned there (tests/template
checks that the pins agree), so no download is needed. Every module is
compiled to `unchecked-hash` bytecode, as src/Makefile does with python3.13,
here with the interpreter running the benchmark: the cold start imports the
handler from this very directory.
"""

from __future__ import annotations

import compileall
import io
import py_compile
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import Distribution, distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

SRC = Path(__file__).resolve().parent.parent / "src"
REQUIREMENTS = SRC / "requirements.txt"
CODE = "reconciler"  # what src/Makefile copies from src/


@dataclass(frozen=True)
class Package:
    files: int
    bytes: int  # unzipped
    zipped: int
    code_files: int  # the function's own source files (src/reconciler)
    code_bytes: int
    bundled: tuple[str, ...]  # name==version of each distribution installed from src/requirements.txt


def build_package(destination: Path, code_dir: Path = SRC, requirements: Path = REQUIREMENTS) -> Package:
    """Lay the package out in `destination` (an empty directory) as src/Makefile does, and size its zip."""
    code = [path for path in (code_dir / CODE).rglob("*.py") if "__pycache__" not in path.parts]
    for path in code:
        _copy(path, destination / path.relative_to(code_dir))
    distributions = bundled_distributions(requirements)
    for dist in distributions:
        for name, path in _installed_files(dist):
            _copy(path, destination / name)
    compileall.compile_dir(destination, quiet=1, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    files = sorted(path for path in destination.rglob("*") if path.is_file())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.relative_to(destination).as_posix())
    return Package(
        files=len(files),
        bytes=sum(path.stat().st_size for path in files),
        zipped=len(buffer.getvalue()),
        code_files=len(code),
        code_bytes=sum(path.stat().st_size for path in code),
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
    """(path in the package, file on disk) for what `pip install --target`
    puts at the package's root, bytecode left out."""
    for file in dist.files or []:
        path = Path(str(dist.locate_file(file)))
        if not file.as_posix().startswith("..") and "__pycache__" not in file.parts and path.is_file():
            yield file.as_posix(), path


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
