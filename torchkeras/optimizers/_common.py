"""Constructor boilerplate shared by the optimizer modules."""
from __future__ import annotations

_BASE_ARGS = ("weight_decay", "clipnorm", "clipvalue", "global_clipnorm", "use_ema",
              "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor",
              "gradient_accumulation_steps", "name")


def base_kwargs(local_vars: dict) -> dict:
    """The base-class keyword arguments found in a constructor's ``locals()`` (plus ``**kwargs``)."""
    out = {k: local_vars[k] for k in _BASE_ARGS if k in local_vars}
    out["learning_rate"] = local_vars["learning_rate"]
    out.update(local_vars.get("kwargs") or {})
    return out
