"""Reference numbers for the recurrent / wrapper / attention layer tests, computed by REAL Keras
(dev only: tests never import TensorFlow; they read the files written here).

    python -m venv /tmp/kvenv && /tmp/kvenv/bin/pip install tensorflow-cpu keras tf_keras
    /tmp/kvenv/bin/python compat_suite/reference/make_recurrent_fixtures.py --lib k3
    /tmp/kvenv/bin/python compat_suite/reference/make_recurrent_fixtures.py --lib k2

Writes ``tests/fixtures/layers/{recurrent,wrappers,attention}.<lib>.npz`` (inputs, weights in
Keras order, masks, outputs) and ``.json`` (per case: layer class, the config the library
writes, call arguments, number of outputs). Produced with Keras 3.15.1 / tf-keras 2.21 on
TensorFlow 2.21 (CPU, so Keras's generic RNN loop, not cuDNN).

Every case: build the layer, overwrite its weights with seeded uniform(-0.6, 0.6) values, call
it (training=False) and store ``<case>/x<i>``, ``<case>/w<i>``, ``<case>/mask``,
``<case>/init<i>``, ``<case>/y<i>``.
"""
from __future__ import annotations

import argparse
import json
import os

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "fixtures",
                   "layers")


class Recorder:
    def __init__(self, keras, tf, lib):
        self.keras, self.tf, self.lib = keras, tf, lib
        self.arrays = {}
        self.cases = {}

    def put(self, key, value):
        a = np.asarray(value)
        if a.dtype == np.float64:
            a = a.astype(np.float32)
        self.arrays[key] = a

    def run(self, name, layer, inputs, *, mask=None, initial_state=None, call=None,
            seed=0, keras_masks=None, build_first=True, list_input=False, calls=1,
            reset_between=None):
        """``inputs``: list of arrays (a single array for single-input layers)."""
        tf = self.tf
        rng = np.random.default_rng(seed)
        call = dict(call or {})
        xs = [np.asarray(x, np.float32) if np.asarray(x).dtype.kind == "f" else np.asarray(x)
              for x in inputs]
        tx = [tf.constant(x) for x in xs]
        def attach_masks():  # masks carried by the tensors (MHA's query/value masks); Keras's
            if keras_masks is not None:  # MultiHeadAttention clears them: re-attach every call
                for t, m in zip(tx, keras_masks):
                    if m is not None:
                        _set_keras_mask(t, tf.constant(m))

        attach_masks()
        args = tx if list_input == "mha" else [tx] if list_input else [tx[0]]
        kw = dict(call)
        if mask is not None:
            kw["mask"] = [tf.constant(m) if m is not None else None for m in mask] \
                if isinstance(mask, list) else tf.constant(mask)
        if initial_state is not None:
            kw["initial_state"] = [tf.constant(s) for s in initial_state]
        extra = {k: v for k, v in kw.items() if k in ("value", "key", "attention_mask")}
        for k in extra:
            kw[k] = tf.constant(kw[k])
        layer(*args, **kw)  # build
        attach_masks()
        weights = [rng.uniform(-0.6, 0.6, size=w.shape).astype(np.float32)
                   for w in layer.get_weights()]
        layer.set_weights(weights)
        if getattr(layer, "stateful", False):
            layer.reset_states()
        outs = []
        for i in range(calls):
            y = layer(*args, training=False, **kw) if _takes_training(layer) else \
                layer(*args, **kw)
            attach_masks()
            outs.append(y)
            if reset_between is not None and i == reset_between:
                layer.reset_states()
        flat = []
        for y in outs:
            flat.extend(list(y) if isinstance(y, (list, tuple)) else [y])
        for i, x in enumerate(xs):
            self.put(f"{name}/x{i}", x)
        for i, w in enumerate(weights):
            self.put(f"{name}/w{i}", w)
        if mask is not None:
            if isinstance(mask, list):
                for i, m in enumerate(mask):
                    if m is not None:
                        self.put(f"{name}/mask{i}", m)
            else:
                self.put(f"{name}/mask", mask)
        if keras_masks is not None:
            for i, m in enumerate(keras_masks):
                if m is not None:
                    self.put(f"{name}/kmask{i}", m)
        if initial_state is not None:
            for i, s in enumerate(initial_state):
                self.put(f"{name}/init{i}", s)
        for k, v in extra.items():
            self.put(f"{name}/{k}", call[k])
        for i, y in enumerate(flat):
            self.put(f"{name}/y{i}", np.asarray(y))
        cfg = layer.get_config()
        self.cases[name] = {
            "class": type(layer).__name__,
            "config": json.loads(json.dumps(cfg, default=_json_default)),
            "call": {k: v for k, v in call.items() if k not in extra},
            "call_arrays": sorted(extra),
            "n_inputs": len(xs), "list_input": list_input, "n_outputs": len(flat),
            "n_weights": len(weights), "calls": calls, "reset_between": reset_between,
            "has_mask": mask is not None and not isinstance(mask, list),
            "mask_list": [m is not None for m in mask] if isinstance(mask, list) else None,
            "keras_masks": [m is not None for m in keras_masks] if keras_masks else None,
            "n_init": len(initial_state) if initial_state is not None else 0,
        }

    def save(self, family):
        os.makedirs(OUT, exist_ok=True)
        np.savez_compressed(os.path.join(OUT, f"{family}.{self.lib}.npz"), **self.arrays)
        with open(os.path.join(OUT, f"{family}.{self.lib}.json"), "w") as f:
            json.dump(self.cases, f, sort_keys=True, separators=(",", ":"))
        self.arrays, self.cases = {}, {}


def _set_keras_mask(t, m):
    try:
        from keras.src import backend as kb
        kb.set_keras_mask(t, m)
    except ImportError:
        t._keras_mask = m


def _takes_training(layer):
    import inspect
    try:
        return "training" in inspect.signature(layer.call).parameters
    except (TypeError, ValueError):
        return False


def _json_default(o):
    import collections.abc
    if hasattr(o, "as_list"):  # TensorShape
        return o.as_list()
    if isinstance(o, collections.abc.Mapping):  # tf's DictWrapper
        return dict(o)
    if isinstance(o, collections.abc.Sequence) and not isinstance(o, str):
        return list(o)
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, tuple):
        return list(o)
    return str(o)


def seq(rng, b, t, f):
    return rng.normal(size=(b, t, f)).astype(np.float32)


MASK_RIGHT = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 0, 0, 0]], bool)
MASK_LEFT = np.array([[1, 1, 1, 1, 1], [0, 0, 1, 1, 1], [0, 0, 0, 0, 1]], bool)
MASK_HOLES = np.array([[1, 0, 1, 1, 0], [0, 1, 1, 0, 1], [1, 1, 1, 1, 1]], bool)
MASK_EMPTY_ROW = np.array([[1, 1, 1, 0, 0], [0, 0, 0, 0, 0], [0, 1, 1, 1, 0]], bool)


# ------------------------------------------------------------------------------------------
def recurrent(r: Recorder):
    L = r.keras.layers
    k3 = r.lib == "k3"
    rng = np.random.default_rng(1)
    x = seq(rng, 3, 5, 4)
    h0 = rng.normal(size=(3, 6)).astype(np.float32)
    c0 = rng.normal(size=(3, 6)).astype(np.float32)
    for name, mask in (("right", MASK_RIGHT), ("left", MASK_LEFT), ("holes", MASK_HOLES),
                       ("emptyrow", MASK_EMPTY_ROW)):
        r.run(f"lstm_mask_{name}", L.LSTM(6, return_sequences=True, return_state=True), [x],
              mask=mask)
        r.run(f"gru_mask_{name}", L.GRU(6, return_sequences=True, return_state=True), [x],
              mask=mask)
    r.run("lstm_mask_last", L.LSTM(6), [x], mask=MASK_LEFT)
    r.run("lstm_back_mask", L.LSTM(6, return_sequences=True, return_state=True,
                                   go_backwards=True), [x], mask=MASK_RIGHT)
    r.run("lstm_back", L.LSTM(6, return_sequences=True, go_backwards=True), [x])
    r.run("lstm_init", L.LSTM(6, return_sequences=True, return_state=True), [x],
          initial_state=[h0, c0])
    r.run("lstm_init_mask", L.LSTM(6, return_state=True), [x], initial_state=[h0, c0],
          mask=MASK_LEFT)
    r.run("lstm_nobias", L.LSTM(6, use_bias=False, return_sequences=True), [x])
    r.run("lstm_hard_sigmoid", L.LSTM(6, recurrent_activation="hard_sigmoid",
                                      return_sequences=True), [x], mask=MASK_RIGHT)
    r.run("lstm_relu", L.LSTM(6, activation="relu", return_sequences=True), [x])
    r.run("gru_v1_mask", L.GRU(6, reset_after=False, return_sequences=True,
                               return_state=True), [x], mask=MASK_RIGHT)
    r.run("gru_back_init", L.GRU(6, go_backwards=True, return_sequences=True,
                                 return_state=True), [x], initial_state=[h0])
    r.run("gru_nobias", L.GRU(6, use_bias=False), [x])
    r.run("gru_v1_nobias_back", L.GRU(6, reset_after=False, use_bias=False, go_backwards=True,
                                      return_sequences=True), [x], mask=MASK_LEFT)
    r.run("simple_rnn_mask", L.SimpleRNN(6, return_sequences=True, return_state=True), [x],
          mask=MASK_LEFT)
    r.run("simple_rnn_relu", L.SimpleRNN(6, activation="relu", go_backwards=True), [x])
    r.run("simple_rnn_sigmoid_nobias", L.SimpleRNN(6, activation="sigmoid", use_bias=False,
                                                   return_sequences=True), [x],
          mask=MASK_HOLES)
    if k3:
        r.run("lstm_zero_output", L.LSTM(6, return_sequences=True, return_state=True,
                                         zero_output_for_mask=True), [x], mask=MASK_RIGHT)
        r.run("lstm_zero_output_last", L.LSTM(6, zero_output_for_mask=True), [x],
              mask=MASK_RIGHT)
    # stateful: three calls, reset after the second
    xs = seq(rng, 3, 4, 4)
    r.run("lstm_stateful", L.LSTM(5, stateful=True, return_sequences=True), [xs], calls=3,
          reset_between=1)
    r.run("gru_stateful", L.GRU(5, stateful=True), [xs], calls=2)
    # generic RNN with cells
    r.run("rnn_stacked", L.RNN([L.LSTMCell(5), L.GRUCell(4), L.SimpleRNNCell(3)],
                               return_sequences=True), [x], mask=MASK_RIGHT)
    r.run("rnn_stacked_state", L.RNN(L.StackedRNNCells([L.LSTMCell(5), L.GRUCell(4)]),
                                     return_state=True), [x])
    r.run("rnn_lstmcell", L.RNN(L.LSTMCell(6), return_sequences=True, go_backwards=True), [x],
          mask=MASK_LEFT)
    # bidirectional
    for mode in ("concat", "sum", "mul", "ave"):
        r.run(f"bidir_lstm_{mode}", L.Bidirectional(L.LSTM(4, return_sequences=True),
                                                     merge_mode=mode), [x])
    r.run("bidir_lstm_none_state", L.Bidirectional(L.LSTM(4, return_sequences=True,
                                                          return_state=True), merge_mode=None),
          [x])
    r.run("bidir_lstm_mask_right", L.Bidirectional(L.LSTM(4, return_sequences=True)), [x],
          mask=MASK_RIGHT)
    r.run("bidir_lstm_mask_left_last", L.Bidirectional(L.LSTM(4, return_state=True)), [x],
          mask=MASK_LEFT)
    r.run("bidir_gru_mask_holes", L.Bidirectional(L.GRU(4, return_sequences=True),
                                                  merge_mode="sum"), [x], mask=MASK_HOLES)
    r.run("bidir_gru_init", L.Bidirectional(L.GRU(4, return_sequences=True, return_state=True)),
          [x], initial_state=[h0[:, :4], c0[:, :4]])
    r.run("bidir_backward_layer", L.Bidirectional(
        L.LSTM(4, return_sequences=True),
        backward_layer=L.GRU(3, return_sequences=True, go_backwards=True)), [x],
        mask=MASK_RIGHT)
    r.run("bidir_simple_rnn_v1", L.Bidirectional(L.GRU(3, reset_after=False)), [x])
    # ConvLSTM
    v = rng.normal(size=(2, 3, 5, 6, 2)).astype(np.float32)
    m2 = np.array([[1, 1, 0], [0, 1, 1]], bool)
    r.run("convlstm2d_same", L.ConvLSTM2D(3, 3, padding="same", return_sequences=True,
                                          return_state=True), [v], mask=m2)
    r.run("convlstm2d_valid_s2", L.ConvLSTM2D(2, (2, 3), strides=2, go_backwards=True), [v])
    r.run("convlstm2d_dil", L.ConvLSTM2D(2, 2, dilation_rate=2, padding="same",
                                         return_sequences=True), [v])
    v1 = rng.normal(size=(2, 3, 7, 2)).astype(np.float32)
    r.run("convlstm1d", L.ConvLSTM1D(3, 3, padding="same", return_sequences=True), [v1])
    v3 = rng.normal(size=(1, 2, 3, 4, 3, 2)).astype(np.float32)
    r.run("convlstm3d", L.ConvLSTM3D(2, 2, return_state=True), [v3])
    r.save("recurrent")


def wrappers(r: Recorder):
    L = r.keras.layers
    rng = np.random.default_rng(2)
    x = seq(rng, 2, 3, 4)
    r.run("td_dense", L.TimeDistributed(L.Dense(5, activation="tanh")), [x])
    img = rng.normal(size=(2, 3, 6, 5, 2)).astype(np.float32)
    r.run("td_conv2d", L.TimeDistributed(L.Conv2D(3, 3, strides=2, padding="same")), [img])
    r.run("td_dense_4d", L.TimeDistributed(L.Dense(3)), [img[:, :, 0]])
    r.save("wrappers")


def attention(r: Recorder):
    L = r.keras.layers
    k3 = r.lib == "k3"
    rng = np.random.default_rng(3)
    q = rng.normal(size=(2, 4, 6)).astype(np.float32)
    v = rng.normal(size=(2, 5, 6)).astype(np.float32)
    k = rng.normal(size=(2, 5, 6)).astype(np.float32)
    qm = np.array([[1, 1, 1, 0], [1, 1, 0, 0]], bool)
    vm = np.array([[1, 1, 1, 1, 0], [1, 1, 0, 0, 0]], bool)
    for name, kw in (("dot", {}), ("dot_scale", {"use_scale": True}),
                     ("concat", {"score_mode": "concat"}),
                     ("concat_scale", {"score_mode": "concat", "use_scale": True})):
        r.run(f"attention_{name}", L.Attention(**kw), [q, v, k], list_input=True,
              mask=[qm, vm], call={"return_attention_scores": True})
    r.run("attention_causal", L.Attention(), [q[:, :4], v[:, :4]], list_input=True,
          call={"use_causal_mask": True, "return_attention_scores": True})
    r.run("attention_causal_vmask", L.Attention(use_scale=True), [q, v], list_input=True,
          mask=[None, vm], call={"use_causal_mask": True})
    r.run("additive", L.AdditiveAttention(), [q, v], list_input=True, mask=[qm, vm],
          call={"return_attention_scores": True})
    r.run("additive_noscale_key", L.AdditiveAttention(use_scale=False), [q, v, k],
          list_input=True)
    # MultiHeadAttention
    r.run("mha_self", L.MultiHeadAttention(2, 3), [q], call={"value": q})
    r.run("mha_cross_key", L.MultiHeadAttention(3, 2, value_dim=4, output_shape=5), [q],
          call={"value": v, "key": k[..., :4], "return_attention_scores": True})
    am = rng.uniform(size=(2, 4, 5)) > 0.3
    am[:, :, 0] = True
    r.run("mha_attention_mask", L.MultiHeadAttention(2, 4, use_bias=False), [q],
          call={"value": v, "attention_mask": am})
    r.run("mha_causal", L.MultiHeadAttention(2, 3), [q], call={"value": q,
                                                              "use_causal_mask": True})
    r.run("mha_causal_scores", L.MultiHeadAttention(2, 3), [q],
          call={"value": q, "use_causal_mask": True, "return_attention_scores": True})
    r.run("mha_kmasks", L.MultiHeadAttention(2, 3), [q, v], keras_masks=[qm, vm],
          call={}, list_input="mha")
    r.run("mha_kmasks_scores", L.MultiHeadAttention(2, 3), [q, v], keras_masks=[qm, vm],
          call={"return_attention_scores": True}, list_input="mha")
    if k3:
        r.run("mha_gate_window", L.MultiHeadAttention(2, 3, use_gate=True, sliding_window=2),
              [q], call={"value": q, "return_attention_scores": True})
        r.run("mha_gate_window_fused", L.MultiHeadAttention(2, 3, use_gate=True,
                                                            sliding_window=2), [q],
              call={"value": q, "use_causal_mask": True})
    img = rng.normal(size=(2, 3, 4, 6)).astype(np.float32)
    r.run("mha_axes_2", L.MultiHeadAttention(2, 3, attention_axes=(2,)), [img],
          call={"value": img, "return_attention_scores": True})
    r.run("mha_axes_12", L.MultiHeadAttention(2, 3, attention_axes=(1, 2)), [img],
          call={"value": img})
    r.save("attention")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", choices=("k3", "k2"), default="k3")
    args = ap.parse_args()
    if args.lib == "k3":
        import keras
    else:
        os.environ["TF_USE_LEGACY_KERAS"] = "1"
        import tf_keras as keras
    import tensorflow as tf
    r = Recorder(keras, tf, args.lib)
    recurrent(r)
    wrappers(r)
    attention(r)


if __name__ == "__main__":
    main()
