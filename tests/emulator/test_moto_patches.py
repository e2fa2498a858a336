"""Every patch of moto's code is in emulator/moto_patches.py, and says what moto does and what AWS does."""

import ast
from pathlib import Path

from emulator import moto_patches

EMULATOR = Path(moto_patches.__file__).parent


def _patches_made_in(source: Path) -> int:
    calls = [node for node in ast.walk(ast.parse(source.read_text())) if isinstance(node, ast.Call)]
    return sum(1 for call in calls if isinstance(call.func, ast.Name) and call.func.id == "Patch")


def test_no_module_but_moto_patches_patches_moto() -> None:
    elsewhere = {
        source.name: count
        for source in EMULATOR.glob("*.py")
        if source.name != "moto_patches.py" and (count := _patches_made_in(source))
    }

    assert elsewhere == {}
    assert _patches_made_in(EMULATOR / "moto_patches.py") > 0


def test_every_patch_says_what_moto_does_and_what_aws_does() -> None:
    wraps = {patch.wrap for patch in moto_patches.PATCHES if patch.wrap.__module__ == moto_patches.__name__}
    silent = sorted(
        wrap.__name__
        for wrap in wraps
        if not wrap.__doc__ or "AWS" not in wrap.__doc__ or not ("moto" in wrap.__doc__ or "botocore" in wrap.__doc__)
    )

    assert len(wraps) > 20
    assert silent == []
