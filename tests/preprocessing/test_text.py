"""keras.preprocessing.text against the outputs Keras's own tests and docs state."""
from collections import OrderedDict

import numpy as np
import pytest

from torchkeras.preprocessing import text
from torchkeras.preprocessing.text import Tokenizer, tokenizer_from_json

TEXTS = ["The cat sat on the mat.", "The dog sat on the log.", "Dogs and cats living together."]


def test_text_to_word_sequence():
    assert text.text_to_word_sequence("hello! ? world!") == ["hello", "world"]
    assert text.text_to_word_sequence("hello!stop?world!", split="stop") == ["hello", "world"]
    assert text.text_to_word_sequence("ali! veli? kırk dokuz elli") == ["ali", "veli", "kırk", "dokuz", "elli"]
    assert text.text_to_word_sequence("Hi There", lower=False) == ["Hi", "There"]


def test_hashing_trick_and_one_hot():
    t = "The cat sat on the mat."
    for enc in (text.hashing_trick(t, 5), text.hashing_trick(t, 5, hash_function="md5"),
                text.one_hot(t, 5)):
        assert len(enc) == 6 and max(enc) <= 4 and min(enc) >= 1
    md5 = text.hashing_trick(t, 5, hash_function="md5")
    assert md5[0] == md5[4]                       # 'the' twice -> same index
    assert text.hashing_trick(t, 1000, hash_function=len) == [3 % 999 + 1, 4, 4, 3, 4, 4]


def test_tokenizer_basic_and_modes():
    tok = Tokenizer(num_words=10)
    tok.fit_on_texts(TEXTS)
    seqs = list(tok.texts_to_sequences_generator(TEXTS))
    assert max(max(s) for s in seqs) < 10 and min(min(s) for s in seqs) == 1
    assert tok.word_index["the"] == 1 and tok.document_count == 3
    tok.fit_on_sequences(seqs)
    for mode in ("binary", "count", "tfidf", "freq"):
        m = tok.texts_to_matrix(TEXTS, mode)
        assert m.shape == (3, 10)
    count = tok.texts_to_matrix(["the the cat"], "count")
    assert count[0, tok.word_index["the"]] == 2 and count[0, tok.word_index["cat"]] == 1
    freq = tok.texts_to_matrix(["the the cat"], "freq")
    np.testing.assert_allclose(freq[0, tok.word_index["the"]], 2 / 3)
    tfidf = tok.texts_to_matrix(["the the"], "tfidf")
    j = tok.word_index["the"]
    np.testing.assert_allclose(tfidf[0, j], (1 + np.log(2)) * np.log(1 + 6 / (1 + tok.index_docs[j])))
    with pytest.raises(ValueError, match="Unknown vectorization mode"):
        tok.texts_to_matrix(TEXTS, "bogus")
    with pytest.raises(ValueError, match="num_words"):
        Tokenizer().texts_to_matrix(TEXTS)


def test_sequential_fit_document_count():
    tok = Tokenizer()
    tok.fit_on_texts(TEXTS)
    tok.fit_on_texts([["The", "cat", "is", "sitting"], ["The", "dog", "is", "standing"]])
    assert tok.document_count == 5
    assert tok.texts_to_matrix([["the", "is"]]).shape[1] == len(tok.word_index) + 1


def test_tokenizer_oov_flag_and_num_words():
    x_train, x_test = ["This text has only known words"], ["This text has some unknown words"]
    tok = Tokenizer()
    tok.fit_on_texts(x_train)
    assert len(tok.texts_to_sequences(x_test)[0]) == 4
    tok = Tokenizer(oov_token="<unk>")
    tok.fit_on_texts(x_train)
    assert len(tok.texts_to_sequences(x_test)[0]) == 6
    x_train = ["This text has only known words this text"]
    tok = Tokenizer(num_words=3, oov_token="<unk>")
    tok.fit_on_texts(x_train)
    seq = tok.texts_to_sequences(x_test)
    assert " ".join(tok.index_word[t] for t in seq[0]) == "this <unk> <unk> <unk> <unk> <unk>"
    assert tok.sequences_to_texts(seq) == ["this <unk> <unk> <unk> <unk> <unk>"]


@pytest.mark.parametrize("kwargs,expected", [
    ({"oov_token": "<unk>"}, ["this text has <unk> <unk> words"]),
    ({"num_words": 3}, ["this text"]),
    ({}, ["this text has words"]),
])
def test_sequences_to_texts_variants(kwargs, expected):
    tok = Tokenizer(**kwargs)
    tok.fit_on_texts(["This text has only known words this text"])
    assert tok.sequences_to_texts(tok.texts_to_sequences(["This text has some unknown words"])) == expected


def test_sequences_to_texts_round_trip():
    tok = Tokenizer(num_words=10, oov_token="<unk>")
    tok.fit_on_texts(TEXTS)
    assert tok.sequences_to_texts(tok.texts_to_sequences(TEXTS)) == [
        "the cat sat on the mat", "the dog sat on the log", "dogs <unk> <unk> <unk> <unk>"]


def test_tokenizer_lower_flag_and_char_level():
    texts = ["The cat sat on the mat.", "The dog sat on the log.", "Dog and Cat living Together."]
    tok = Tokenizer(lower=True)
    tok.fit_on_texts(texts)
    assert tok.word_counts == OrderedDict([
        ("the", 4), ("cat", 2), ("sat", 2), ("on", 2), ("mat", 1), ("dog", 2), ("log", 1),
        ("and", 1), ("living", 1), ("together", 1)])
    tok = Tokenizer(lower=False)
    tok.fit_on_texts(texts)
    assert tok.word_counts == OrderedDict([
        ("The", 2), ("cat", 1), ("sat", 2), ("on", 2), ("the", 2), ("mat", 1), ("dog", 1),
        ("log", 1), ("Dog", 1), ("and", 1), ("Cat", 1), ("living", 1), ("Together", 1)])
    tok = Tokenizer(lower=True, char_level=True)
    tok.fit_on_texts(texts)
    assert tok.word_counts == OrderedDict([
        ("t", 11), ("h", 5), ("e", 6), (" ", 14), ("c", 2), ("a", 6), ("s", 2), ("o", 6),
        ("n", 4), ("m", 1), (".", 3), ("d", 3), ("g", 5), ("l", 2), ("i", 2), ("v", 1), ("r", 1)])
    # ties keep first-seen order in the index (stable sort by count)
    assert list(tok.word_index)[:3] == [" ", "t", "e"]


def test_tokenizer_unicode_and_legacy_kwargs():
    tok = Tokenizer(num_words=5)
    tok.fit_on_texts(["ali veli kırk dokuz elli", "ali veli kırk dokuz elli veli kırk dokuz"])
    assert len(tok.word_counts) == 5
    with pytest.warns(DeprecationWarning):
        assert Tokenizer(nb_words=7).num_words == 7
    with pytest.raises(TypeError, match="Unrecognized"):
        Tokenizer(bogus=1)


def test_tokenizer_json_round_trip():
    tok = Tokenizer(num_words=10, oov_token="<unk>")
    tok.fit_on_texts(TEXTS)
    restored = tokenizer_from_json(tok.to_json())
    assert restored.word_index == tok.word_index and restored.index_word == tok.index_word
    assert restored.index_docs == tok.index_docs and restored.document_count == 3
    assert restored.texts_to_sequences(TEXTS) == tok.texts_to_sequences(TEXTS)
    np.testing.assert_array_equal(restored.texts_to_matrix(TEXTS, "tfidf"),
                                  tok.texts_to_matrix(TEXTS, "tfidf"))
    empty = tokenizer_from_json(Tokenizer().to_json())
    assert empty.word_index == {}


def test_keras1_base_filter():
    import string
    assert text.base_filter() == string.punctuation.replace("'", "") + "\t\n"
