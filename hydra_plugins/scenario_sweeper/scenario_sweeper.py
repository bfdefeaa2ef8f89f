"""The ``hydra/sweeper: scenario`` plugin. Hydra loads plugins from the ``hydra_plugins`` namespace
only (and re-imports them while scanning), so the class is defined here, on Hydra's public ``Sweeper``
interface; its logic is :mod:`experiments.sweep.sweeper`."""

from typing import Any, Dict, List, Optional

from hydra.plugins.sweeper import Sweeper

from experiments.sweep import sweeper


class ScenarioSweeper(Sweeper):
    """A grid (as Hydra's basic sweeper expands it) x paired replicates x sampled design; failures reported per
    job; progress."""

    def __init__(self, max_batch_size: Optional[int] = None, params: Optional[Dict[str, str]] = None,
                 design: Any = None) -> None:
        self.max_batch_size, self.params, self.design = max_batch_size, params or {}, design
        self.hydra_context = self.config = self.launcher = None

    def setup(self, *, hydra_context: Any, task_function: Any, config: Any) -> None:
        from hydra.core.plugins import Plugins

        self.hydra_context, self.config = hydra_context, config
        self.launcher = Plugins.instance().instantiate_launcher(hydra_context=hydra_context,
                                                                task_function=task_function, config=config)

    def sweep(self, arguments: List[str]) -> Any:
        return sweeper.sweep(self, arguments)


sweeper.register()
