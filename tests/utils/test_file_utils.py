"""get_file against Keras's cache semantics, using file:// origins (no network)."""
import hashlib
import io
import os
import tarfile
import zipfile

import pytest

from torchkeras.utils.file_utils import (DownloadError, extract_archive, get_file, hash_file,
                                         validate_file)


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    monkeypatch.delenv("TORCHKERAS_OFFLINE", raising=False)
    return tmp_path / "kh"


def _src(tmp_path, name="data.txt", content=b"hello keras"):
    p = tmp_path / name
    p.write_bytes(content)
    return p, p.as_uri()


def test_download_into_keras_home_and_cache_hit(tmp_path, home):
    src, origin = _src(tmp_path)
    sha = hashlib.sha256(b"hello keras").hexdigest()
    path = get_file("data.txt", origin, file_hash=sha)
    assert path == str(home / "datasets" / "data.txt") and open(path, "rb").read() == b"hello keras"
    src.write_bytes(b"changed")           # cache hit: not downloaded again
    assert open(get_file("data.txt", origin, file_hash=sha), "rb").read() == b"hello keras"
    assert validate_file(path, sha) and validate_file(path, hashlib.md5(b"hello keras").hexdigest())
    assert hash_file(path) == sha
    # fname defaults to the URL's basename; cache_subdir and cache_dir are honoured
    other = get_file(origin=origin, cache_subdir="models", cache_dir=str(tmp_path / "cd"))
    assert other == str(tmp_path / "cd" / "models" / "data.txt")


def test_stale_hash_redownloads_and_bad_download_raises(tmp_path, home):
    src, origin = _src(tmp_path)
    get_file("data.txt", origin)
    src.write_bytes(b"new content")
    md5 = hashlib.md5(b"new content").hexdigest()
    assert open(get_file("data.txt", origin, md5_hash=md5), "rb").read() == b"new content"
    with pytest.raises(ValueError, match="hash does not match"):
        get_file("x.txt", origin, file_hash="0" * 64)
    assert open(get_file("data.txt", origin, force_download=True), "rb").read() == b"new content"


def test_offline_error_names_file_and_place(tmp_path, home, monkeypatch):
    with pytest.raises(DownloadError) as e:
        get_file("missing.npz", (tmp_path / "nope.npz").as_uri())
    msg = str(e.value)
    assert "missing.npz" in msg and str(home / "datasets" / "missing.npz") in msg
    monkeypatch.setenv("TORCHKERAS_OFFLINE", "1")
    with pytest.raises(OSError, match="offline"):
        get_file("m.npz", "https://example.invalid/m.npz")


def test_stale_cache_used_with_warning_when_offline(tmp_path, home, monkeypatch):
    src, origin = _src(tmp_path)
    get_file("data.txt", origin)
    monkeypatch.setenv("TORCHKERAS_OFFLINE", "1")
    with pytest.warns(UserWarning, match="hash does not match"):
        path = get_file("data.txt", origin, file_hash="f" * 64)
    assert open(path, "rb").read() == b"hello keras"


def _tar_gz(path, members):
    with tarfile.open(path, "w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))


def test_untar_and_extract(tmp_path, home):
    archive = tmp_path / "pkg.tar.gz"
    _tar_gz(archive, {"pkg/a.txt": b"A", "pkg/sub/b.txt": b"B"})
    path = get_file("pkg", archive.as_uri(), untar=True)
    assert path == str(home / "datasets" / "pkg")
    assert open(os.path.join(path, "sub", "b.txt"), "rb").read() == b"B"
    assert os.path.exists(str(home / "datasets" / "pkg.tar.gz"))
    zpath = tmp_path / "z.zip"
    with zipfile.ZipFile(zpath, "w") as z:
        z.writestr("zdir/c.txt", "C")
    got = get_file("z.zip", zpath.as_uri(), extract=True)
    assert got.endswith("z.zip") and os.path.exists(str(home / "datasets" / "zdir" / "c.txt"))
    assert not extract_archive(str(tmp_path / "pkg.tar.gz"), str(tmp_path / "o"), "zip")


def test_extract_refuses_paths_outside(tmp_path):
    archive = tmp_path / "evil.tar.gz"
    _tar_gz(archive, {"../evil.txt": b"x"})
    with pytest.raises(Exception):
        extract_archive(str(archive), str(tmp_path / "out"))
    assert not (tmp_path / "evil.txt").exists()
