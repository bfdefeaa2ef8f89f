"""Every use of Hydra's private API, in one module.

Why these are private: Hydra 1.3 exposes no public API for any of them, and each is the only way to get
a behaviour the tool promises (docs/sweeps.md, docs/reliability.md). Pinned by ``requirements.lock``;
``make test-latest`` runs the tests against the newest Hydra, so a change here shows up there first.

- :func:`is_in_process_launcher`: Hydra's basic launcher runs jobs in this process, one launch per job.
- :func:`job_value`: a job's return value or exception; the public ``JobReturn.return_value`` re-raises a
  failed job's exception, while the sweep reports it and goes on.
- :func:`overrides_dirname`: the directory name Hydra gives a sweep job, computed before launching it.
- :func:`save_configs_safely`: Hydra's ``.hydra/`` files are written atomically and never through a
  symbolic link (Hydra's own writer opens the path, following any link).
- :func:`on_save_config_error`: a disk fault while Hydra writes a single run's ``.hydra/`` files is
  reported as one line, not as Hydra's error report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

__all__ = ["is_in_process_launcher", "job_value", "overrides_dirname",
           "save_configs_safely", "on_save_config_error"]


def is_in_process_launcher(launcher: Any) -> bool:
    from hydra._internal.core_plugins.basic_launcher import BasicLauncher

    return isinstance(launcher, BasicLauncher)


def job_value(job_return: Any) -> Any:
    """What a job returned, or the exception it raised (not re-raised)."""
    return job_return._return_value


def overrides_dirname(overrides: list, exclude_keys: list[str], item_sep: str, kv_sep: str) -> str:
    """Hydra's ``hydra.job.override_dirname`` of parsed overrides."""
    from hydra._internal.config_loader_impl import get_overrides_dirname

    return get_overrides_dirname(overrides=overrides, exclude_keys=exclude_keys, item_sep=item_sep, kv_sep=kv_sep)


def save_configs_safely() -> None:
    """Hydra writes a job's ``.hydra/*.yaml`` atomically and never through a symbolic link (``RunDirError``
    naming it), in this process and in a sweep's worker processes (which import the task's module)."""
    import hydra.core.utils as hydra_utils
    from omegaconf import OmegaConf

    from experiments.rundir import SYMLINK, RunDirError, atomic_write_bytes

    def save_config(cfg, filename, output_dir):
        for path in (Path(output_dir), Path(output_dir) / filename):
            if path.is_symlink():
                raise RunDirError(path, SYMLINK)
        atomic_write_bytes(Path(output_dir) / filename, OmegaConf.to_yaml(cfg).encode())

    hydra_utils._save_config = save_config


def on_save_config_error(handle: Callable[[Exception], None]) -> None:
    """Call ``handle(exc)`` when Hydra fails to write a job's ``.hydra/*.yaml`` (a disk fault, a symbolic link;
    this process only)."""
    import hydra.core.utils as hydra_utils

    from experiments.rundir import RunDirError

    save = hydra_utils._save_config

    def save_config(cfg, filename, output_dir):
        try:
            return save(cfg, filename, output_dir)
        except (OSError, RunDirError) as exc:
            handle(exc)

    hydra_utils._save_config = save_config
