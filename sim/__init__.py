"""Border-closure scenario simulator: a vectorised Mesa model of the Pakistan–Iran border in Baluchistan."""

from .config import Config, ConfigError, load_config
from .model import BorderModel

__version__ = "0.1.0"
__all__ = ["BorderModel", "Config", "ConfigError", "load_config", "__version__"]
