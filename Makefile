# Two commands are the whole set-up: `make demo` and `make test` (each creates .venv when missing).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.gansuite-installed

.PHONY: demo test install clean bench

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/gansuite demo --out gansuite-demo

test: $(STAMP)
	$(PY) -m pytest -n 2 --durations=15 -q

# The benchmarks of docs/benchmarks.md, one after another (hours on 2 cores; not part of CI).
bench: $(STAMP)
	mkdir -p runs/bench
	$(PY) examples/bench_engine.py --steps 200 --repeats 5 | tee runs/bench/engine.md
	$(PY) -m pip install -q -e examples/plugins/gansuite-toy2d
	$(PY) examples/bench_toy2d.py --data grid ring --seeds 10 --jobs 2 --out runs/bench/toy2d
	$(PY) examples/bench_toy2d.py --data grid --seeds 2 --jobs 2 --set steps=16000 --set anneal=4000 --out runs/bench/toy2d-long
	$(PY) examples/bench_toy2d.py --data grid --seeds 2 --jobs 2 --set anneal=2000 --out runs/bench/toy2d-anneal
	$(PY) examples/bench_toy2d.py --data grid --seeds 2 --jobs 2 --set pack=4 --out runs/bench/toy2d-pack4
	$(PY) examples/bench_crypto.py --seeds 10 --jobs 2 --out runs/bench/crypto
	$(PY) examples/bench_crypto.py --seeds 2 --jobs 2 --attack-eves 0 --set act=sigmoid --out runs/bench/crypto-sigmoid
	$(PY) examples/bench_crypto.py --seeds 10 --jobs 2 --attack-eves 0 --set lr=0.0008 --set eve_lr=0.0008 --out runs/bench/crypto-lr8e-4
	$(PY) examples/bench_video.py --out runs/bench/video
	$(PY) examples/bench_sr.py --scale 4 --threads 2 --pretrain 1000 --gan 300 --out runs/bench/sr4
	$(PY) examples/bench_sr.py --scale 4 --threads 2 --models srresnet --out runs/bench/sr4-long
	$(PY) examples/bench_sr.py --scale 2 --threads 2 --out runs/bench/sr2
	$(PY) examples/bench_imagegen.py --variants default,hinge,wgan-gp,lsgan,no-diffaugment,warmup,loser --seeds 0,1,2,3,4 --jobs 2 --set steps=2000 --out runs/bench/ig
	$(PY) examples/bench_imagegen.py --variants faces,faces-plain --seeds 0,1,2,3,4 --jobs 2 --set steps=2000 --out runs/bench/ig
	$(PY) examples/bench_imagegen.py --variants default --seeds 0,1 --jobs 2 --out runs/bench/ig-long10k
	$(PY) examples/bench_imagegen.py --variants wgan-gp --seeds 0,1 --jobs 2 --set steps=5000 --out runs/bench/ig-wgan5k

clean:
	rm -rf runs gansuite-demo .pytest_cache
