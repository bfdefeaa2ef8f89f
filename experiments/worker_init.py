"""Imported first by the fork server of local sweep workers (:data:`experiments.workers.MODEL_STACK`).

multiprocessing re-runs the sweep command's main module (``experiments.run``) as ``__mp_main__`` in
every worker it starts. The server has already imported that module, so ``runpy`` warns that this
"may result in unpredictable behaviour". It does not here: the module only defines the task and
registers configs, and running it twice changes nothing. The warning is silenced in the server and
its workers only (this module is imported nowhere else).
"""

import warnings

warnings.filterwarnings("ignore", message=r"'experiments\.run' found in sys\.modules", category=RuntimeWarning)
