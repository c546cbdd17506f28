"""Keras's HDF5 attribute conventions (``save_attributes_to_hdf5_group``): names stored as
byte strings, an empty list as an empty float64 array, lists larger than the 64 KiB object
header split into ``name0``, ``name1``... Property-tested with hypothesis."""
import io

import h5py
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from torchkeras.saving.h5_utils import HDF5_OBJECT_HEADER_LIMIT, read_names, write_attr

names = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=0x2FF), min_size=1,
                max_size=40)


@settings(max_examples=40, deadline=None)
@given(st.lists(names, max_size=60), st.integers(0, 4000))
def test_names_round_trip(values, padding):
    # with padding, some lists exceed the HDF5 object header limit and must be split
    values = values + [f"layer_{i:05d}/" + "w" * 20 for i in range(padding)]
    bio = io.BytesIO()
    with h5py.File(bio, "w") as f:
        write_attr(f, "weight_names", values)
        assert read_names(f, "weight_names") == values
        if values and max(len(v.encode()) for v in values) * len(values) > \
                HDF5_OBJECT_HEADER_LIMIT:
            assert "weight_names0" in f.attrs and "weight_names" not in f.attrs


def test_empty_list_is_a_float64_array_as_keras_writes():
    bio = io.BytesIO()
    with h5py.File(bio, "w") as f:
        write_attr(f, "weight_names", [])
        assert f.attrs["weight_names"].dtype == np.float64
        assert read_names(f, "weight_names") == []
