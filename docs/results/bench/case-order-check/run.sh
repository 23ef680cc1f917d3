cd /work/main
export MALLOC_ARENA_MAX=1 OPENBLAS_NUM_THREADS=1
for r in 1 2; do
  for peers in pytorch-2.10 pytorch-2.10,pytorch; do
    echo "== round $r peers $peers $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
    ./normkit bench --peer $peers --norms batch_norm1d --dtypes float32 --threads 1 --json /tmp/diag-$r-$peers.json --markdown /tmp/diag-$r-$peers.md 2>&1 | grep -E '^\[' | cut -c1-140
  done
done
echo "== 1,2 threads 2.10 only $(date -u +%T)"
./normkit bench --peer pytorch-2.10 --norms batch_norm1d --dtypes float32 --threads 1,2 --json /tmp/diag-12.json --markdown /tmp/diag-12.md 2>&1 | grep -E '^\[' | cut -c1-140
