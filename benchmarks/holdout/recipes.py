"""The fixed-pipeline arms of the hold-out benchmark, written from code and committed as YAML.

- ``default``: the documented default pipeline, ``zapml.space.default_pipeline()`` unchanged
  (pretrained MobileNetV2 at 64 px, SGD + Nesterov momentum 0.9, lr 0.01).
- ``mobilenet128_adam``: a practitioner's recipe named in issue 8: MobileNetV2 at 128 px with
  Adam, lr 1e-3.
- ``lite0_64_sgd``: the other recipe named there: EfficientNet-Lite0 at 64 px with SGD, lr 0.01,
  momentum 0.9.

Every other value is the default pipeline's (``amsgrad``, inactive under SGD, takes the space's
default). Nothing here was tuned on the hold-out sets. ``python benchmarks/holdout/recipes.py``
(re)writes ``recipes/<arm>.yaml``; ``benchmarks/test_holdout.py`` checks the files match.
"""

from __future__ import annotations

from pathlib import Path

from zapml.space import Pipeline, build_space, default_pipeline

RECIPE_DIR = Path(__file__).resolve().parent / "recipes"


def recipe_pipelines() -> dict[str, Pipeline]:
    """Arm name -> its pipeline, each checked against the space."""
    base = default_pipeline()
    amsgrad_default = build_space()["amsgrad"].default_value
    arms = {
        "default": base,
        "mobilenet128_adam": base.replace(
            architecture="mobilenetv2_100",
            log2_max_size=7,  # 2**7 = 128 px
            optimizer="Adam",
            lr=1e-3,
            amsgrad=amsgrad_default,
        ),
        "lite0_64_sgd": base.replace(
            architecture="efficientnet_lite0",
            log2_max_size=6,  # 64 px
            optimizer="SGD",
            lr=0.01,
            momentum=0.9,
        ),
    }
    return {name: pipe.validate() for name, pipe in arms.items()}


#: accuracies closer than this are equal: they are shares of one test set (or means of such),
#: whose real differences are far larger
ACCURACY_TIE = 1e-9


def arm_ids() -> list[str]:
    """The store ids of the fixed arms (default pipeline and recipes), in ``recipe_pipelines``'
    order: the meta-dataset benchmarks find the arms' runs by them."""
    return [pipe.id for pipe in recipe_pipelines().values()]


def recipe_path(arm: str) -> Path:
    return RECIPE_DIR / f"{arm}.yaml"


def write_recipes() -> list[Path]:
    RECIPE_DIR.mkdir(exist_ok=True)
    written = []
    for arm, pipe in recipe_pipelines().items():
        pipe.to_yaml(recipe_path(arm))
        written.append(recipe_path(arm))
    return written


if __name__ == "__main__":
    for path in write_recipes():
        print(f"wrote {path}")
