"""The registry agrees with itself and with the class mirror."""

import re

from cvcourse.datasets import files, registry


def test_every_entry_is_complete():
    for name, item in registry.FILES.items():
        assert item.name == name
        assert item.dataset in registry.DATASETS
        assert all(u.startswith("https://") for u in item.urls)
        assert bool(item.urls) != bool(item.kaggle), "one origin: URLs or a Kaggle handle"
        if item.kaggle:
            assert re.fullmatch(r"[\w-]+/[\w-]+", item.kaggle)
        assert item.content in {"raw", "gzip", "zip", "tar"}
        assert item.licence and item.description and item.size > 0
        if item.sha256 is None:
            assert name.endswith(".h5"), "only pretrained weights may go unpinned"
        else:
            assert re.fullmatch(r"[0-9a-f]{64}", item.sha256)
        if item.content in ("zip", "tar"):
            re.compile(item.members)
        if item.content == "tar":
            assert name.endswith(".tar.gz")


def test_datasets_name_existing_files_and_loaders():
    import cvcourse.datasets as ds

    listed = [f for d in registry.DATASETS.values() for f in d.files]
    assert sorted(listed) == sorted(registry.FILES)
    for d in registry.DATASETS.values():
        assert callable(getattr(ds, d.loader))


def test_mnist_pins_are_the_well_known_ones():
    assert registry.FILES["train-images-idx3-ubyte.gz"].sha256.startswith("ba891046")
    assert registry.FILES["t10k-labels-idx1-ubyte.gz"].sha256.startswith("ff7bcfd4")


def test_mirror_holds_every_file_and_it_verifies(mirror_dir):
    for name, item in registry.FILES.items():
        path = mirror_dir / name
        assert path.is_file(), f"the mirror lacks {name}"
        assert path.stat().st_size == item.size
        files.check(item, path)
