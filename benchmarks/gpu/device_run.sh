#!/usr/bin/env bash
# What one call of the device tool runs on a lent GPU machine (see README.md beside this).
# Usage: [BUDGET=64] [SPECS="..."] [TASKS="ID ..."] [PER_ARCH=6] [WORKERS=14] [DEVICE=cuda] \
#        bash benchmarks/gpu/device_run.sh STAGE BUILD_SECONDS
#   (TASKS: build only those tasks' cells, `--task` each, e.g. whole tasks at a time)
#   data   (carry .gpu/whl .gpu/data) install ConfigSpace, copy the store into .gpu, check the GPU,
#          measure its wall -> compute ratio (zap calibrate --device), re-run a sample of the from-scratch cells (they need no weights) on it
#   a      (carry .gpu/wa) re-run a MobileNetV2 / EfficientNet-Lite0 sample, then build the
#          second seeds for BUILD_SECONDS (Lite1/Lite2 cells fail at once: no weights yet)
#   b      (carry .gpu/wb) re-run a Lite1 / Lite2 sample, then build again with --retry-failed
# Each stage needs the earlier stages' files, which stay on a machine that is still warm. The
# store and the logs come back in $OUT; the store is resumable anywhere.
set -u
stage=$1
seconds=${2:-200}
# Carried folders land in the repository copy, which the next call replaces: keep them in /tmp,
# which lasts as long as the machine.
G=/tmp/gpu
mkdir -p $G
for part in whl data wa wb; do [ -d .gpu/$part ] && cp -r .gpu/$part $G/; done
STORE=$G/store.sqlite
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD/src:$G/site:$G/wa:$G/wb
export ZAPML_CACHE=$G/data/cache ZAPML_TASK_PACK=$G/data/pack ZAPML_HOME=$G/home
DEVICE=${DEVICE:-cuda}
BUDGET=${BUDGET:-64}  # the cells built and sampled (compute seconds; one of the specs' budgets)
SPECS=${SPECS:-"v2-seeds64 v2-recipe-local-seeds v2-local64-seeds"}
log() { echo "[$(date +%T)] $*"; }
sample() {  # architectures...
    [ "${PER_ARCH:-6}" -gt 0 ] || return 0
    python3 benchmarks/bench_gpu_cells.py "$STORE" --device "$DEVICE" --budgets "$BUDGET" --per-arch "${PER_ARCH:-6}" \
        --workers "${WORKERS:-12}" --out "$OUT/check_$stage" --architectures "$@"
}
build() {  # extra flags...
    local until=$(($(date +%s) + seconds))
    local t only=()
    for t in ${TASKS:-}; do only+=(--task "$t"); done
    for spec in $SPECS; do
        local left=$((until - $(date +%s)))
        [ $left -gt 10 ] || break
        log "build $spec for at most $left s"
        timeout -k 15 -s INT $left python3 -c "from zapml.cli.app import main; main()" metadataset \
            build src/zapml/metadataset/specs/$spec.yaml --db "$STORE" --force --budget "$BUDGET" \
            --device "$DEVICE" --workers "${WORKERS:-14}" --no-progress "${only[@]}" "$@" 2>&1 \
            | tail -15
    done
}
case $stage in
data)
    python3 -m pip install -q --no-index --no-deps --no-compile --target $G/site $G/whl/*.whl
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
    python3 -c "import torch, timm, sklearn, numpy; print('torch', torch.__version__, 'timm',
timm.__version__, 'sklearn', sklearn.__version__, 'numpy', numpy.__version__,
'cuda', torch.cuda.is_available(), torch.cuda.get_device_name(0))"
    nproc
    # The GPU's own wall -> compute ratio, as `zap fit --device cuda` on the wall clock uses it.
    python3 -c "from zapml.cli.app import main; main()" calibrate --device "$DEVICE" --recalibrate
    [ -f "$STORE" ] || cp src/zapml/metadataset/shipped/zapml-offline-v2.sqlite "$STORE"
    sample resnet18.scratch mobilenetv2_100.scratch
    ;;
a)
    sample mobilenetv2_100 efficientnet_lite0
    build
    ;;
b)
    sample efficientnet_lite1 efficientnet_lite2
    build --retry-failed
    ;;
esac
log "copying the store back"
python3 -c "
import sqlite3, sys
src = sqlite3.connect(sys.argv[1]); dst = sqlite3.connect(sys.argv[2]); src.backup(dst)
print(dst.execute('select seed, device, count(*) from (select seed, json_extract(versions_json, \"\$.device\") device from runs where budget = 64) group by 1, 2').fetchall())
print(dst.execute('select status, count(*) from runs group by 1').fetchall())
" "$STORE" "$OUT/store.sqlite"
