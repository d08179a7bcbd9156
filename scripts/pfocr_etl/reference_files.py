"""Reference file bookkeeping: archive extraction and the references manifest.

The manifest (``references.json``) names every reference the release was built
from, where it came from (URL or local path), its size and SHA-256, and the
release label, so a release can be traced and reproduced.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
import tempfile
import zipfile
from pathlib import Path


def sha256_path(path: str | os.PathLike) -> tuple[str, int]:
    """SHA-256 and size of a file, or of a folder's files (names and bytes, sorted)."""
    target = Path(path)
    files = sorted(p for p in target.rglob("*") if p.is_file()) if target.is_dir() else [target]
    digest = hashlib.sha256()
    size = 0
    for file in files:
        if target.is_dir():
            digest.update(file.relative_to(target).as_posix().encode() + b"\0")
        with open(file, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
                size += len(block)
    return digest.hexdigest(), size


def describe_references(files: dict[str, str], urls: dict[str, str | None], release: str) -> dict:
    entries = []
    for name in sorted(files):
        path = Path(files[name])
        sha256, size = sha256_path(path)
        entry = {"name": name, "path": str(path), "url": urls.get(name), "sha256": sha256, "size": size,
                 "version": release}
        provenance = path.with_name(path.name + ".provenance.json")
        if provenance.exists():
            entry["retrieved"] = json.loads(provenance.read_text())["retrieved"]
        entries.append(entry)
    return {"release": release, "files": entries}


def write_references_manifest(files: dict[str, str], urls: dict[str, str | None], release: str,
                              out_path: str | os.PathLike) -> dict:
    manifest = describe_references(files, urls, release)
    Path(out_path).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def extract_archive(archive: str | os.PathLike, dest: str | os.PathLike) -> list[str]:
    """Unpack a taxdump ``.tar.gz``/``.zip`` into ``dest`` atomically; refuses unsafe member paths."""
    archive, dest = Path(archive), Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as bundle:
                names = bundle.namelist()
                _check_members(names)
                bundle.extractall(tmp)
        else:
            with tarfile.open(archive) as bundle:
                names = bundle.getnames()
                _check_members(names)
                bundle.extractall(tmp, filter="data")
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return sorted(names)


def _check_members(names: list[str]) -> None:
    for name in names:
        if name.startswith("/") or ".." in Path(name).parts:
            raise ValueError(f"archive member {name!r} would be written outside the target folder")
