"""Cost estimates and affordability: what the next piece of work will cost on the run's clock,
and whether it still fits in the budget.

Every piece of work is *charged* its counted cost (``costs.py``) here, so the compute clock moves;
estimates of the next train step, test prediction and validation come from clock deltas of the
same work done before (exact counted costs under the compute clock, measured seconds under the
wall clock).
"""

from __future__ import annotations

from zapml.runtime.clock import Clock
from zapml.runtime.predictor import AbortCheck

# Under the wall clock, measured costs jitter (shared machines); plan with this much headroom so
# the last step and prediction end inside the budget. Compute-clock costs are exact.
WALL_SAFETY = 1.25

# Weight of the newest measurement in the running estimates of a train step and of speed: recent
# steps matter most (caches warm up, other processes come and go), one outlier does not dominate.
# KEEP_WEIGHT + NEWEST_WEIGHT = 1 (written out, not computed, so the arithmetic stays bit-identical
# to the curves recorded in the shipped meta-dataset).
NEWEST_WEIGHT = 0.2
KEEP_WEIGHT = 0.8


class Budgeter:
    """The run's clock, its budget, and the running cost estimates.

    ``step_cost`` / ``predict_cost`` / ``valid_cost`` / ``copy_cost`` are the counted costs of a
    train step, a test prediction (with test-time augmentation), a validation pass and a weight
    snapshot. Until a prediction or validation has been measured, its counted cost is scaled by a
    speed (clock seconds per counted second): exactly 1 under the compute clock; under the wall
    clock it absorbs a slow or busy machine (up to 50x on shared cores).
    """

    def __init__(
        self,
        clock: Clock,
        budget: float,
        *,
        step_cost: float,
        predict_cost: float,
        valid_cost: float,
        copy_cost: float,
    ) -> None:
        self.clock = clock
        self.budget = budget
        self.safety = WALL_SAFETY if clock.name == "wall" else 1.0
        self.step_cost = step_cost
        self.predict_cost = predict_cost
        self.valid_cost = valid_cost
        self.copy_cost = copy_cost
        self.counted_seconds = 0.0
        # Clock seconds per counted second of training, from the train steps so far.
        self.speed = 1.0
        # Clock seconds per counted second of inference, measured on the simple model's feature
        # pass: a better guide to the first prediction's cost than training speed.
        self.inference_speed: float | None = None
        self.est_step = step_cost
        self.measured_predict: float | None = None
        self.measured_valid: float | None = None

    def charge(self, seconds: float) -> None:
        """Counted work done: the compute clock advances by ``seconds``."""
        self.counted_seconds += seconds
        self.clock.charge(seconds)

    def now(self) -> float:
        return self.clock.now()

    def affordable(self, seconds: float) -> bool:
        """Whether work estimated at ``seconds`` ends inside the budget (with the safety factor
        of the wall clock)."""
        return self.clock.now() + self.safety * seconds <= self.budget

    def observe_step(self, took: float, steps_done: int) -> None:
        """A train step took ``took`` clock seconds; ``steps_done`` counts it. The first step
        sets the speed and the step estimate, later ones average in."""
        if self.step_cost > 0:
            ratio = took / self.step_cost
            self.speed = (
                ratio if steps_done <= 1 else KEEP_WEIGHT * self.speed + NEWEST_WEIGHT * ratio
            )
        if steps_done == 1:
            self.est_step = took
        else:
            self.est_step = KEEP_WEIGHT * self.est_step + NEWEST_WEIGHT * took

    def observe_warm_inference(self, took: float, counted: float) -> None:
        """A later inference pass took ``took`` clock seconds for ``counted`` counted seconds.
        Under the wall clock it replaces the inference speed measured on the first pass, which
        is cold and small: 256 images of MobileNetV2 at 128 px took 9 ms an image on 2 cores, the
        next 2,256 took 4, so the first pass's speed priced the README demo's test prediction at
        35 s instead of about 16 and stopped training after 0 steps. Under the compute clock the
        speed is 1 by construction and stays as it is, so recorded runs replay bit for bit."""
        if self.clock.name == "wall" and counted > 0:
            self.inference_speed = took / counted

    def overrun_check(self) -> AbortCheck:
        """For an inference pass starting now: abort when, at the pace so far, it would end after
        the budget. Under the compute clock time does not move during a pass, so it never fires
        (there, costs are exact and checked before the pass starts)."""
        start = self.clock.now()

        def check(done: float) -> bool:
            now = self.clock.now()
            return now + (now - start) * (1.0 - done) / done > self.budget

        return check

    def _inference(self, counted: float) -> float:
        speed = self.inference_speed if self.inference_speed is not None else self.speed
        return speed * (counted + self.copy_cost)

    @property
    def est_predict(self) -> float:
        if self.measured_predict is not None:
            return self.measured_predict
        return self._inference(self.predict_cost)

    @property
    def est_valid(self) -> float:
        if self.measured_valid is not None:
            return self.measured_valid
        return self._inference(self.valid_cost)
