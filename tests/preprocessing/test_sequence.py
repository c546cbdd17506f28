"""keras.preprocessing.sequence against Keras's documented outputs and its unit tests."""
import random
from math import ceil

import numpy as np
import pytest

from torchkeras.preprocessing import sequence
from torchkeras.preprocessing.sequence import (TimeseriesGenerator, make_sampling_table,
                                               pad_sequences, skipgrams)


def test_pad_sequences_docstring_examples():
    s = [[1], [2, 3], [4, 5, 6]]
    out = pad_sequences(s)
    assert out.dtype == np.int32 and out.tolist() == [[0, 0, 1], [0, 2, 3], [4, 5, 6]]
    assert pad_sequences(s, value=-1).tolist() == [[-1, -1, 1], [-1, 2, 3], [4, 5, 6]]
    assert pad_sequences(s, padding="post").tolist() == [[1, 0, 0], [2, 3, 0], [4, 5, 6]]
    assert pad_sequences(s, maxlen=2).tolist() == [[0, 1], [2, 3], [5, 6]]


def test_pad_sequences_options():
    a = [[1], [1, 2], [1, 2, 3]]
    assert pad_sequences(a, maxlen=3, padding="pre").tolist() == [[0, 0, 1], [0, 1, 2], [1, 2, 3]]
    assert pad_sequences(a, maxlen=3, padding="post").tolist() == [[1, 0, 0], [1, 2, 0], [1, 2, 3]]
    assert pad_sequences(a, maxlen=2, truncating="pre").tolist() == [[0, 1], [1, 2], [2, 3]]
    assert pad_sequences(a, maxlen=2, truncating="post").tolist() == [[0, 1], [1, 2], [1, 2]]
    assert pad_sequences(a, maxlen=3, value=1).tolist() == [[1, 1, 1], [1, 1, 2], [1, 2, 3]]
    # floats are truncated by the default int32 dtype; dtype='float32' keeps them
    assert pad_sequences([[1.5, 2.7]]).tolist() == [[1, 2]]
    assert pad_sequences([[1.5]], maxlen=2, dtype="float32", value=0.5).tolist() == [[0.5, 1.5]]
    assert pad_sequences([[], [1]]).tolist() == [[0], [1]]
    with pytest.raises(ValueError, match="Truncating type"):
        pad_sequences(a, maxlen=1, truncating="middle")
    with pytest.raises(ValueError, match="Padding type"):
        pad_sequences(a, padding="middle")
    with pytest.raises(ValueError, match="non-iterable"):
        pad_sequences([1, 2])


def test_pad_sequences_strings_and_vectors():
    a = [["1"], ["1", "2"], ["1", "2", "3"]]
    out = pad_sequences(a, maxlen=3, padding="pre", value="pad", dtype=object)
    assert out.tolist() == [["pad", "pad", "1"], ["pad", "1", "2"], ["1", "2", "3"]]
    out = pad_sequences(a, maxlen=2, value="pad", dtype="<U3")
    assert out.tolist() == [["pad", "1"], ["1", "2"], ["2", "3"]]
    with pytest.raises(ValueError, match="dtype=object"):
        pad_sequences(a, maxlen=2, value="pad")
    v = [[[1, 1]], [[2, 1], [2, 2]], [[3, 1], [3, 2], [3, 3]]]
    out = pad_sequences(v, maxlen=2)
    assert out.shape == (3, 2, 2)
    assert out.tolist() == [[[0, 0], [1, 1]], [[2, 1], [2, 2]], [[3, 2], [3, 3]]]
    with pytest.raises(ValueError, match="Shape of sample"):
        pad_sequences([[[1, 2]], [[1, 2, 3]]])


def test_timeseries_generator():
    data = np.array([[i] for i in range(50)])
    targets = np.array([[i] for i in range(50)])
    g = TimeseriesGenerator(data, targets, length=10, sampling_rate=2, batch_size=2)
    assert len(g) == 20
    np.testing.assert_allclose(g[0][0], [[[0], [2], [4], [6], [8]], [[1], [3], [5], [7], [9]]])
    np.testing.assert_allclose(g[0][1], [[10], [11]])
    np.testing.assert_allclose(g[1][0], [[[2], [4], [6], [8], [10]], [[3], [5], [7], [9], [11]]])
    g = TimeseriesGenerator(data, targets, length=10, sampling_rate=2, reverse=True, batch_size=2)
    np.testing.assert_allclose(g[0][0], [[[8], [6], [4], [2], [0]], [[9], [7], [5], [3], [1]]])
    g = TimeseriesGenerator(data, targets, length=10, sampling_rate=2, shuffle=True, batch_size=1)
    x, y = g[0]
    r = y[0][0]
    np.testing.assert_allclose(x, [[[r - 10], [r - 8], [r - 6], [r - 4], [r - 2]]])
    g = TimeseriesGenerator(data, targets, length=10, sampling_rate=2, stride=2, batch_size=2)
    assert len(g) == 10
    np.testing.assert_allclose(g[1][0], [[[4], [6], [8], [10], [12]], [[6], [8], [10], [12], [14]]])
    np.testing.assert_allclose(g[1][1], [[14], [16]])
    g = TimeseriesGenerator(data, targets, length=10, sampling_rate=2, start_index=10,
                            end_index=30, batch_size=2)
    assert len(g) == 6
    np.testing.assert_allclose(g[0][0], [[[10], [12], [14], [16], [18]], [[11], [13], [15], [17], [19]]])
    np.testing.assert_allclose(g[0][1], [[20], [21]])
    with pytest.raises(ValueError, match=r"`start_index\+length=50 > end_index=49` is disallowed"):
        TimeseriesGenerator(data, targets, length=50)
    assert '"length": 10' in g.to_json()


def test_timeseries_generator_doesnt_miss_any_sample():
    x = np.array([[i] for i in range(10)])
    for length in range(3, 10):
        g = TimeseriesGenerator(x, x, length=length, batch_size=1)
        assert len(g) == max(0, len(x) - length)
        y = np.concatenate([g[i][1] for i in range(len(g))], axis=0)
        np.testing.assert_allclose(y, np.arange(length, 10).reshape(-1, 1))
    x = np.array([[i] for i in range(23)])
    for stride, length, batch_size, shuffle in zip((1, 1, 5, 7, 3, 5, 3), (3, 3, 4, 3, 1, 3, 7),
                                                   (6, 6, 6, 5, 6, 6, 6),
                                                   (False, True, True, False, False, False, False)):
        g = TimeseriesGenerator(x, x, length=length, stride=stride, shuffle=shuffle,
                                batch_size=batch_size)
        if shuffle:
            expected_sequences = ceil((23 - length) / float(batch_size * stride)) * batch_size
        else:
            expected_sequences = ceil((23 - length) / float(stride))
        y = [g[i][1] for i in range(len(g))]
        assert sum(len(b) for b in y) == expected_sequences
        assert len(y) == ceil(expected_sequences / float(batch_size))


def test_skipgrams():
    couples, labels = skipgrams(np.arange(3), vocabulary_size=3)
    assert all(c[0] in (0, 1, 2) and c[1] in (0, 1, 2) for c in couples)
    assert labels.count(1) == labels.count(0)
    couples, labels = skipgrams(np.arange(5), vocabulary_size=5, window_size=1, categorical=True)
    assert all(c[0] - c[1] <= 3 for c in couples) and all(len(lbl) == 2 for lbl in labels)
    # positives are exactly the in-window pairs (0 is a non-word)
    couples, labels = skipgrams([0, 1, 2, 3], vocabulary_size=4, window_size=1,
                                negative_samples=0, shuffle=False)
    assert couples == [[1, 2], [2, 1], [2, 3], [3, 2]] and labels == [1, 1, 1, 1]
    random.seed(0)
    a = skipgrams([1, 2, 3, 4], 10, seed=3)
    random.seed(0)
    assert a == skipgrams([1, 2, 3, 4], 10, seed=3)


def test_make_sampling_table_and_remove_long_seq():
    np.testing.assert_allclose(make_sampling_table(3), [0.00315225, 0.00315225, 0.00547597], rtol=0.1)
    assert sequence._remove_long_seq(5, [[1, 2, 3], [1, 2, 3, 4, 5, 6]], ["a", "b"]) == ([[1, 2, 3]], ["a"])
