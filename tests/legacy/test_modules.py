"""Old module paths resolve under ``python -m torchkeras.run`` / ``install_as_keras`` (each
check in a subprocess: the import hook changes ``sys.modules`` for the whole process)."""
import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

SCRIPT = textwrap.dedent('''
    import warnings
    warnings.simplefilter("ignore")
    import numpy as np
    import keras
    from keras.layers.core import Dense, Dropout, Activation, Flatten, Lambda, Merge, MaxoutDense
    from keras.layers.convolutional import Convolution2D, MaxPooling2D, ZeroPadding2D
    from keras.layers.recurrent import LSTM, GRU, SimpleRNN
    from keras.layers.pooling import GlobalAveragePooling1D
    from keras.layers.normalization import BatchNormalization
    from keras.layers.embeddings import Embedding
    from keras.layers.advanced_activations import LeakyReLU, PReLU, ELU
    from keras.layers.wrappers import TimeDistributed, Bidirectional
    from keras.layers.noise import GaussianNoise, GaussianDropout
    from keras.layers import merge, Merge, Highway
    assert callable(merge)
    from keras.layers.merge import concatenate, Concatenate
    from keras.layers import merge as merge_again
    assert callable(merge_again)  # the module path is also Keras 1's function
    from keras.engine.topology import Layer, InputSpec, Input, get_source_inputs, Container
    from keras.engine import Layer as L2, InputSpec as IS2
    assert L2 is Layer and IS2 is InputSpec
    from keras.engine.training import Model
    from keras.utils.np_utils import to_categorical, probas_to_classes
    assert to_categorical([0, 2], 3).shape == (2, 3)
    from keras.utils.data_utils import get_file, Sequence
    from keras.utils.generic_utils import Progbar, custom_object_scope, get_custom_objects
    from keras.utils import plot_model, get_source_inputs, multi_gpu_model
    from keras.utils.vis_utils import plot_model
    from keras.utils.visualize_util import plot
    from keras.legacy import interfaces
    from keras.objectives import categorical_crossentropy, mse
    from keras import initializations, objectives
    from keras.wrappers.scikit_learn import KerasClassifier, KerasRegressor
    from keras.models import Sequential, load_model, model_from_json
    from keras.optimizers import SGD, Adam
    from keras import backend as K
    assert K.image_dim_ordering() in ("tf", "th")
    from keras.regularizers import l2, activity_l2
    from keras.constraints import maxnorm
    import tensorflow as tf
    from tensorflow import keras as tfk
    from tensorflow.keras.layers import Dense as D2
    assert tf.keras is keras and tfk is keras and D2 is Dense

    # the helpers actually work from those paths
    p = Progbar(3, verbose=0)
    p.update(1)
    class Custom(Layer):
        def call(self, x):
            return 2 * x
    with custom_object_scope({"Custom": Custom}):
        assert get_custom_objects() is not None
    x = Input((2,))
    y = Custom()(Dense(3)(x))
    assert get_source_inputs(y)[0] is x
    m = Model(x, y)
    assert multi_gpu_model(m, gpus=1) is not None or True
    import os, tempfile
    d = tempfile.mkdtemp()
    src = os.path.join(d, "data.txt")
    open(src, "w").write("hello")
    path = get_file("copy.txt", origin="file://" + src, cache_dir=d)
    assert open(path).read() == "hello"
    print("OK")
''')


def _run(script, tmp_path):
    f = tmp_path / "old_script.py"
    f.write_text(script)
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-m", "torchkeras.run", str(f)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_old_module_paths(tmp_path):
    r = _run(SCRIPT, tmp_path)
    assert r.returncode == 0 and "OK" in r.stdout, r.stdout[-2000:] + r.stderr[-4000:]


def test_tensorflow_beyond_keras_fails_with_a_clear_message(tmp_path):
    r = _run("import tensorflow as tf\ntf.Session()\n", tmp_path)
    assert r.returncode != 0 and "beyond the Keras API" in r.stderr


def test_install_as_keras_in_process():
    code = ("import torchkeras\ntorchkeras.install_as_keras()\nimport keras\n"
            "from keras.layers.core import Dense\nimport keras.layers.convolutional as c\n"
            "assert keras is torchkeras and Dense is torchkeras.layers.Dense\n"
            "assert c.Convolution2D is torchkeras.layers.Convolution2D\n"
            "from torchkeras.legacy.modules import uninstall_as_keras\nuninstall_as_keras()\n"
            "print('OK')\n")
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=ROOT)
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0 and "OK" in r.stdout, r.stderr[-3000:]
