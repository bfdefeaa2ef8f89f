"""Border-closure scenario simulator: a vectorised Mesa model of the Pakistan–Iran border in Baluchistan.

``BorderModel`` is imported on first use (PEP 562), so that tools which only read configs or
results (the sweep driver, collection, reports) start without importing Mesa.
"""

from .config import Config, ConfigError, load_config

# The model version: raise it whenever a run of the same config and seed gives other results. Runs
# record it (manifest ``model_version``) and a resumed sweep never mixes runs of two versions.
__version__ = "0.9.1"
__all__ = ["BorderModel", "Config", "ConfigError", "load_config", "__version__"]


def __getattr__(name: str):
    if name == "BorderModel":
        from .model import BorderModel

        return BorderModel
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
