"""The ``hydra/sweeper: scenario`` plugin. Hydra loads plugins from the ``hydra_plugins`` namespace
only (and re-imports them while scanning), so the class is defined here; its logic is
:mod:`experiments.sweep.sweeper`."""

from typing import Any, Dict, List, Optional

from experiments.hydra_internals import basic_sweeper
from experiments.sweep import sweeper


class ScenarioSweeper(basic_sweeper()):
    """Hydra's basic sweeper x paired replicates x sampled design; failures reported per job; progress."""

    def __init__(self, max_batch_size: Optional[int] = None, params: Optional[Dict[str, str]] = None,
                 design: Any = None) -> None:
        super().__init__(max_batch_size=max_batch_size, params=params)
        self.design = design

    def sweep(self, arguments: List[str]) -> Any:
        return sweeper.sweep(self, arguments)


sweeper.register()
