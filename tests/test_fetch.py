"""Cache, then mirror, then origin: verified, atomic, and clear when it cannot work."""

import functools
import gzip
import http.server
import os
import threading
from pathlib import Path

import pytest

from cvcourse.datasets import files
from cvcourse.datasets.errors import CorruptFileError, DataUnavailableError
from tests.conftest import regzip, replace_with

SMALL = "t10k-labels-idx1-ubyte.gz"  # 4.5 kB: quick to copy around


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


def test_fetch_from_mirror_then_from_cache(empty_cache, tmp_mirror, no_network):
    path = files.fetch(SMALL, progress=False)
    assert path == empty_cache / SMALL
    assert files.status(SMALL) == "cached"
    (tmp_mirror / SMALL).unlink()  # the cache is enough now
    assert files.fetch(SMALL, progress=False) == path


def test_repacked_mirror_copy_verifies(empty_cache, tmp_mirror, no_network):
    replace_with(tmp_mirror / SMALL, regzip(tmp_mirror / SMALL, level=1))
    files.fetch(SMALL, progress=False)
    # the cache holds the mirror's bytes, and they verify by content
    assert (empty_cache / SMALL).read_bytes() == (tmp_mirror / SMALL).read_bytes()


def test_offline_without_mirror_names_dataset_file_origin_and_fix(
    empty_cache, monkeypatch, no_network
):
    monkeypatch.delenv("CVCOURSE_MIRROR", raising=False)
    with pytest.raises(DataUnavailableError) as info:
        files.fetch(SMALL, progress=False)
    message = str(info.value)
    for expected in (
        SMALL,
        "'mnist'",
        files.entry(SMALL).urls[0],
        "CVCOURSE_MIRROR",
        "cvcourse data fetch",
    ):
        assert expected in message
    assert leftovers(empty_cache) == []


def test_unreachable_origin_is_reported(empty_cache, monkeypatch):
    """No mirror, origins tried for real: this machine has no internet, or a closed port."""
    monkeypatch.delenv("CVCOURSE_MIRROR", raising=False)
    monkeypatch.delenv("CVCOURSE_OFFLINE", raising=False)
    item = files.entry(SMALL)
    monkeypatch.setitem(
        files.FILES,
        SMALL,
        type(item)(**{**item.__dict__, "urls": ("http://127.0.0.1:9/" + SMALL,)}),
    )
    with pytest.raises(DataUnavailableError, match="unreachable"):
        files.fetch(SMALL, progress=False)
    assert leftovers(empty_cache) == []


def test_corrupted_mirror_file_is_refused(empty_cache, tmp_mirror, no_network):
    def flip(content: bytes) -> bytes:
        return content[:100] + bytes([content[100] ^ 1]) + content[101:]

    replace_with(tmp_mirror / SMALL, regzip(tmp_mirror / SMALL, change=flip))
    with pytest.raises(DataUnavailableError, match="refused.*sha256"):
        files.fetch(SMALL, progress=False)
    assert leftovers(empty_cache) == []


def test_truncated_mirror_file_is_refused(empty_cache, tmp_mirror, no_network):
    data = (tmp_mirror / SMALL).read_bytes()
    replace_with(tmp_mirror / SMALL, data[: len(data) // 2])
    with pytest.raises(DataUnavailableError, match="not a complete gzip"):
        files.fetch(SMALL, progress=False)
    assert leftovers(empty_cache) == []


def test_mirror_missing_a_file(empty_cache, tmp_mirror, no_network):
    (tmp_mirror / SMALL).unlink()
    with pytest.raises(DataUnavailableError, match="mirror .*: no such file"):
        files.fetch(SMALL, progress=False)


def test_corrupt_cached_file_is_refused_until_forced(empty_cache, tmp_mirror, no_network):
    path = files.fetch(SMALL, progress=False)
    path.write_bytes(gzip.compress(b"not mnist"))
    assert files.status(SMALL) == "corrupt in cache"
    with pytest.raises(CorruptFileError, match="(?s)refused.*--force"):
        files.fetch(SMALL, progress=False)
    assert files.fetch(SMALL, progress=False, force=True) == path
    assert files.status(SMALL) == "cached"


def test_weights_that_are_not_hdf5_are_refused(empty_cache, tmp_mirror, no_network):
    name = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5"
    replace_with(tmp_mirror / name, b"<html>Access denied</html>")
    with pytest.raises(DataUnavailableError, match="not an HDF5"):
        files.fetch(name, progress=False)


def test_tampered_extraction_is_rebuilt(empty_cache, tmp_mirror, no_network):
    root = files.extract("chinese_mnist.zip", progress=False)
    victim = root / "chinese_mnist.csv"
    original = victim.read_bytes()
    victim.write_bytes(original.replace(b"9", b"8", 1))
    assert files.extract("chinese_mnist.zip", progress=False) == root
    assert victim.read_bytes() == original
    assert not [p for p in empty_cache.iterdir() if p.name.endswith(".part")]


# --------------------------------------------------------------------- over HTTP


class _Handler(http.server.SimpleHTTPRequestHandler):
    truncate = False

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2] if self.truncate else data)


@pytest.fixture
def http_mirror(mirror_dir, monkeypatch):
    """Serve the mirror on 127.0.0.1 and point CVCOURSE_MIRROR at its URL."""

    def serve(truncate=False):
        handler = type("H", (_Handler,), {"truncate": truncate})
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(handler, directory=str(mirror_dir))
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        monkeypatch.setenv("CVCOURSE_MIRROR", f"http://127.0.0.1:{server.server_port}/")

    servers = []
    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def test_download_from_url_mirror(empty_cache, http_mirror, no_network):
    http_mirror()
    path = files.fetch(SMALL, progress=True)
    files.check(files.entry(SMALL), path)


def test_interrupted_download_leaves_nothing(empty_cache, http_mirror, no_network):
    http_mirror(truncate=True)
    with pytest.raises(DataUnavailableError, match="mirror http"):
        files.fetch(SMALL, progress=False)
    assert leftovers(empty_cache) == []


def test_url_mirror_missing_file(empty_cache, http_mirror, no_network, monkeypatch):
    http_mirror()
    url = os.environ["CVCOURSE_MIRROR"] + "nothing-here/"
    monkeypatch.setenv("CVCOURSE_MIRROR", url)
    with pytest.raises(DataUnavailableError, match="nothing-here/.*: no such file"):
        files.fetch(SMALL, progress=False)


def test_unreachable_mirror_url_names_the_url_and_the_variable(
    empty_cache, monkeypatch, no_network
):
    monkeypatch.setenv("CVCOURSE_MIRROR", "http://127.0.0.1:9/class-data/")
    with pytest.raises(DataUnavailableError) as info:
        files.fetch(SMALL, progress=False)
    assert f"mirror http://127.0.0.1:9/class-data/{SMALL} (CVCOURSE_MIRROR): unreachable" in str(
        info.value
    )
    assert leftovers(empty_cache) == []
