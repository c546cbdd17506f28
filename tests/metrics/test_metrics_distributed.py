"""Metric states under a real 2-process gloo group: all_reduce_states / reduced_result give
the metric over the union of both ranks' data (states are additive)."""
import os
import tempfile

import numpy as np
import pytest
import torch.distributed as dist
import torch.multiprocessing as mp


def _worker(rank, world, init_file, out_file):
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank,
                            world_size=world)
    try:
        import torchkeras.metrics as metrics
        rng = np.random.default_rng(rank)
        yt = rng.integers(0, 2, size=20)
        yp = rng.uniform(size=20).astype(np.float32)
        auc, mean = metrics.AUC(), metrics.Mean()
        auc.update_state(yt, yp)
        mean.update_state(yp)
        local = float(auc.result())
        global_auc = float(metrics.reduced_result(auc))
        assert float(auc.result()) == local  # local states untouched
        metrics.all_reduce_states(mean)
        if rank == 0:
            np.save(out_file, np.array([global_auc, float(mean.result()), float(mean.count)]))
    finally:
        dist.destroy_process_group()


@pytest.mark.skipif(not dist.is_available(), reason="torch.distributed unavailable")
def test_reduced_result_over_two_processes():
    import torchkeras.metrics as metrics
    with tempfile.TemporaryDirectory() as d:
        init_file, out_file = os.path.join(d, "init"), os.path.join(d, "out.npy")
        mp.spawn(_worker, args=(2, init_file, out_file), nprocs=2, join=True)
        got = np.load(out_file)
    ref_auc, ref_mean = metrics.AUC(), metrics.Mean()
    for rank in range(2):
        rng = np.random.default_rng(rank)
        yt = rng.integers(0, 2, size=20)
        yp = rng.uniform(size=20).astype(np.float32)
        ref_auc.update_state(yt, yp)
        ref_mean.update_state(yp)
    np.testing.assert_allclose(got, [float(ref_auc.result()), float(ref_mean.result()), 40.0],
                               rtol=1e-6)
