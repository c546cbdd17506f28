"""keras.datasets loaders on small files written in Keras's cache formats (no network).

Each test builds a temporary ``KERAS_HOME`` holding files with Keras's names, keys and layouts
(``mnist.npz``, ``fashion-mnist/*.gz`` IDX files, CIFAR python pickles in
``cifar-10-batches-py.tar.gz``, ``imdb.npz`` with object arrays...) and checks the loaders'
Keras semantics. ``TORCHKERAS_OFFLINE=1`` keeps them off the network; since the fake files do
not have Keras's hashes, the loaders warn and use them.
"""
import gzip
import io
import json
import os
import pickle
import tarfile
import warnings

import numpy as np
import pytest

from torchkeras.backend import config
from torchkeras.datasets import (boston_housing, cifar10, cifar100, fashion_mnist, imdb, mnist,
                                 reuters)
from torchkeras.utils.file_utils import DownloadError


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setenv("TORCHKERAS_OFFLINE", "1")
    os.makedirs(tmp_path / "datasets")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*hash does not match.*")
        yield tmp_path / "datasets"


def _obj(seqs):
    out = np.empty(len(seqs), dtype=object)
    for i, s in enumerate(seqs):
        out[i] = list(s)
    return out


def test_mnist(home):
    rng = np.random.RandomState(0)
    arrays = {"x_train": rng.randint(0, 255, (6, 28, 28)).astype("uint8"),
              "y_train": np.arange(6, dtype="uint8"),
              "x_test": rng.randint(0, 255, (2, 28, 28)).astype("uint8"),
              "y_test": np.array([7, 8], dtype="uint8")}
    np.savez(home / "mnist.npz", **arrays)
    (x, y), (xt, yt) = mnist.load_data()
    np.testing.assert_array_equal(x, arrays["x_train"])
    assert x.dtype == np.uint8 and y.tolist() == list(range(6)) and yt.tolist() == [7, 8]
    assert xt.shape == (2, 28, 28)


def test_missing_file_offline_error_names_file_and_place(home):
    with pytest.raises(DownloadError) as e:
        mnist.load_data()
    assert "mnist.npz" in str(e.value) and str(home / "mnist.npz") in str(e.value)
    with pytest.raises(DownloadError, match="cifar-10-batches-py"):
        cifar10.load_data()


def _idx(path, arr, header_len):
    with gzip.open(path, "wb") as f:
        f.write(b"\0" * header_len + arr.tobytes())


def test_fashion_mnist_idx_files(home):
    d = home / "fashion-mnist"
    os.makedirs(d)
    rng = np.random.RandomState(1)
    xtr, xte = rng.randint(0, 255, (5, 28, 28)).astype("uint8"), rng.randint(0, 255, (3, 28, 28)).astype("uint8")
    _idx(d / "train-labels-idx1-ubyte.gz", np.arange(5, dtype="uint8"), 8)
    _idx(d / "train-images-idx3-ubyte.gz", xtr, 16)
    _idx(d / "t10k-labels-idx1-ubyte.gz", np.array([9, 8, 7], dtype="uint8"), 8)
    _idx(d / "t10k-images-idx3-ubyte.gz", xte, 16)
    (x, y), (xt, yt) = fashion_mnist.load_data()
    np.testing.assert_array_equal(x, xtr)
    np.testing.assert_array_equal(xt, xte)
    assert y.tolist() == [0, 1, 2, 3, 4] and yt.tolist() == [9, 8, 7]


def _cifar_batch(n, rng, label_keys):
    d = {b"batch_label": b"batch", b"data": rng.randint(0, 255, (n, 3072)).astype("uint8"),
         b"filenames": [b"f%d.png" % i for i in range(n)]}
    for k in label_keys:
        d[k.encode()] = [int(v) for v in rng.randint(0, 10, n)]
    return d


def _tar(path, members):
    with tarfile.open(path, "w:gz") as tar:
        for name, obj in members.items():
            payload = pickle.dumps(obj, protocol=2)
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))


def _cifar10_members(rng, prefix="cifar-10-batches-py/"):
    members = {f"{prefix}data_batch_{i}": _cifar_batch(2, rng, ["labels"]) for i in range(1, 6)}
    members[prefix + "test_batch"] = _cifar_batch(3, rng, ["labels"])
    members[prefix + "batches.meta"] = {b"label_names": [b"a"] * 10}
    return members


@pytest.mark.parametrize("archive_name", ["cifar-10-batches-py.tar.gz", "cifar-10-python.tar.gz"])
def test_cifar10_from_keras_archive(home, archive_name):
    rng = np.random.RandomState(2)
    members = _cifar10_members(rng)
    _tar(home / archive_name, members)
    (x, y), (xt, yt) = cifar10.load_data()
    assert x.shape == (10, 32, 32, 3) and x.dtype == np.uint8 and y.shape == (10, 1)
    assert xt.shape == (3, 32, 32, 3) and yt.shape == (3, 1) and yt.dtype == np.uint8
    raw = members["cifar-10-batches-py/data_batch_1"][b"data"][1]
    # rows of 3072 = 1024 red, 1024 green, 1024 blue values, row-major 32x32
    assert x[1, 4, 7, 2] == raw[2 * 1024 + 4 * 32 + 7]
    assert y[:2, 0].tolist() == members["cifar-10-batches-py/data_batch_1"][b"labels"]
    assert os.path.isfile(home / "cifar-10-batches-py" / "data_batch_1")


def test_cifar10_extracted_dir_and_channels_first(home):
    rng = np.random.RandomState(3)
    os.makedirs(home / "cifar-10-batches-py")
    members = _cifar10_members(rng)
    for name, obj in members.items():
        with open(home / name, "wb") as f:
            pickle.dump(obj, f, protocol=2)
    config.set_image_data_format("channels_first")
    try:
        (x, _), _ = cifar10.load_data()
    finally:
        config.set_image_data_format("channels_last")
    assert x.shape == (10, 3, 32, 32)
    raw = members["cifar-10-batches-py/data_batch_2"][b"data"][0]
    assert x[2, 1, 5, 6] == raw[1024 + 5 * 32 + 6]


def test_cifar_refuses_pickled_code(home):
    os.makedirs(home / "cifar-10-batches-py")

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    for i in range(1, 6):
        with open(home / "cifar-10-batches-py" / f"data_batch_{i}", "wb") as f:
            pickle.dump({b"data": Evil()}, f)
    with pytest.raises(pickle.UnpicklingError, match="Refusing"):
        cifar10.load_data()


def test_cifar100_label_modes(home):
    rng = np.random.RandomState(4)
    members = {"cifar-100-python/train": _cifar_batch(4, rng, ["fine_labels", "coarse_labels"]),
               "cifar-100-python/test": _cifar_batch(2, rng, ["fine_labels", "coarse_labels"])}
    _tar(home / "cifar-100-python.tar.gz", members)
    (x, y), (xt, yt) = cifar100.load_data()
    assert x.shape == (4, 32, 32, 3) and y.shape == (4, 1) and xt.shape == (2, 32, 32, 3)
    assert y[:, 0].tolist() == members["cifar-100-python/train"][b"fine_labels"]
    (_, yc), _ = cifar100.load_data(label_mode="coarse")
    assert yc[:, 0].tolist() == members["cifar-100-python/train"][b"coarse_labels"]
    with pytest.raises(ValueError, match="label_mode"):
        cifar100.load_data(label_mode="medium")


def _write_imdb(home):
    x_train = [[1, 2, 3], [4, 5], [6, 7, 8, 9], [10]]
    x_test = [[2, 2], [11, 1, 3]]
    np.savez(home / "imdb.npz", x_train=_obj(x_train), y_train=np.array([0, 1, 0, 1]),
             x_test=_obj(x_test), y_test=np.array([1, 0]))
    return x_train, x_test


def test_imdb_defaults_follow_keras(home):
    x_train, x_test = _write_imdb(home)
    (x, y), (xt, yt) = imdb.load_data()
    assert x.dtype == object and x.shape == (4,) and xt.shape == (2,)
    rng = np.random.RandomState(113)
    order = np.arange(4)
    rng.shuffle(order)
    order_t = np.arange(2)
    rng.shuffle(order_t)
    assert y.tolist() == np.array([0, 1, 0, 1])[order].tolist()
    # start_char=1 first, words shifted by index_from=3; the largest index (11 + 3 = 14) is
    # the default num_words and is therefore itself replaced by oov_char=2 (Keras's quirk)
    for got, i in zip(x, order):
        assert got == [1] + [w + 3 for w in x_train[i]]
    for got, i in zip(xt, order_t):
        assert got == [1] + [2 if w + 3 >= 14 else w + 3 for w in x_test[i]]


def test_imdb_options(home):
    x_train, _ = _write_imdb(home)
    (x, _), _ = imdb.load_data(num_words=7, skip_top=5, start_char=None, oov_char=None,
                               index_from=0, seed=0)
    assert all(all(5 <= w < 7 for w in s) for s in x)
    (x, y), (xt, _) = imdb.load_data(maxlen=4)           # len(seq) + start char must be < 4
    assert all(len(s) < 4 for s in x) and len(x) == 2 and len(y) == 2 and len(xt) == 1
    (x, _), _ = imdb.load_data(num_words=6, oov_char=9)
    assert all(all(w < 6 or w == 9 for w in s) for s in x)
    with pytest.warns(DeprecationWarning):
        imdb.load_data(nb_words=6)
    with pytest.raises(TypeError):
        imdb.load_data(bogus=1)
    with pytest.raises(ValueError, match="maxlen"):
        imdb.load_data(maxlen=1)


def test_word_indexes(home):
    with open(home / "imdb_word_index.json", "w") as f:
        json.dump({"the": 1, "and": 2}, f)
    with open(home / "reuters_word_index.json", "w") as f:
        json.dump({"said": 1}, f)
    assert imdb.get_word_index() == {"the": 1, "and": 2}
    assert reuters.get_word_index() == {"said": 1}
    assert len(reuters.get_label_names()) == 46


def test_reuters_split(home):
    xs = [[i, i + 1] for i in range(1, 11)]
    np.savez(home / "reuters.npz", x=_obj(xs), y=np.arange(10))
    (x, y), (xt, yt) = reuters.load_data(test_split=0.3)
    assert len(x) == 7 and len(xt) == 3 and x.dtype == object
    order = np.arange(10)
    np.random.RandomState(113).shuffle(order)
    assert y.tolist() + yt.tolist() == order.tolist()
    # default num_words = the largest index (11 + 3), which itself becomes oov_char=2
    assert x[0] == [1] + [2 if w + 3 >= 14 else w + 3 for w in xs[order[0]]]


def test_boston_housing(home):
    x = np.arange(50 * 13, dtype="float64").reshape(50, 13)
    yv = np.arange(50, dtype="float64")
    np.savez(home / "boston_housing.npz", x=x, y=yv)
    (xtr, ytr), (xte, yte) = boston_housing.load_data()
    assert xtr.shape == (40, 13) and xte.shape == (10, 13)
    order = np.arange(50)
    np.random.RandomState(113).shuffle(order)
    assert ytr.tolist() == order[:40].tolist() and np.array_equal(xtr[:, 0], x[order[:40], 0])
    (xtr, _), (xte, _) = boston_housing.load_data(test_split=0.1, seed=1)
    assert len(xtr) == 45 and len(xte) == 5
    with pytest.raises(ValueError):
        boston_housing.load_data(test_split=1.0)
