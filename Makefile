# Two commands are the whole set-up: `make demo` and `make test` (each creates .venv when missing).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.gansuite-installed

.PHONY: demo test install clean bench

$(STAMP): pyproject.toml Makefile
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,survival,dp]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/gansuite demo --out gansuite-demo

test: $(STAMP)
	$(PY) -m pytest -n 2 --durations=15 -q

# The benchmarks of docs/benchmarks.md, one after another (hours on 2 cores; not part of CI).
# Application runs use one torch thread each and report CPU time (OMP_NUM_THREADS=1 below).
bench: $(STAMP)
	mkdir -p runs/bench
	$(PY) examples/bench_engine.py --steps 200 --repeats 7 --profile | tee runs/bench/engine.md
	OMP_NUM_THREADS=1 $(PY) examples/bench_imagegen.py --variants default,mbstd --seeds 0,1,2,3,4 --jobs 2 --set steps=3000 --set probe_every=1000 --out runs/bench/ig3k
	OMP_NUM_THREADS=1 $(PY) examples/bench_imagegen.py --variants default,mbstd --seeds 0,1 --jobs 1 --set steps=2000 --set probe_every=1000 --out runs/bench/ig2k
	OMP_NUM_THREADS=1 $(PY) examples/bench_imagegen.py --variants default,d-width-16,contrastive,contrastive-hue --seeds 0,1,2,3,4 --jobs 2 --set steps=10000 --set probe_every=2500 --out runs/bench/ig10k
	OMP_NUM_THREADS=1 $(PY) examples/bench_imagegen.py --variants faces,faces-d16,faces-ada --seeds 0,1,2,3,4 --jobs 2 --set steps=2000 --out runs/bench/ig-faces
	OMP_NUM_THREADS=1 $(PY) examples/bench_imagegen.py --variants hinge,lsgan,no-diffaugment,warmup,loser,ada,wgan-gp --seeds 1 --jobs 1 --set steps=2000 --set probe_every=1000 --out runs/bench/ig18
	OMP_NUM_THREADS=1 $(PY) examples/bench_imagegen.py --variants faces-fastgan --seeds 0 --jobs 1 --set steps=250 --set g_width=8 --set d_width=8 --out runs/bench/ig18-faces
	$(PY) examples/make_photo_folder.py --out runs/bench/photos
	OMP_NUM_THREADS=1 $(VENV)/bin/gansuite train image-generation --out runs/bench/ig128 --set data=runs/bench/photos --set model=fastgan --set size=128 --set g_width=8 --set d_width=8 --set batch=8 --set loss=hinge --set diffaugment=color,translation --steps 4000 --quiet
	OMP_NUM_THREADS=1 $(VENV)/bin/gansuite evaluate runs/bench/ig128
	OMP_NUM_THREADS=1 $(PY) examples/train_bundled_sr.py --scale 4 --out runs/bench/bundled --weights runs/bench/bundled/weights
	OMP_NUM_THREADS=1 $(PY) examples/bench_sr.py bundled --model x4
	OMP_NUM_THREADS=1 $(PY) examples/bench_sr.py bundled --model x2
	OMP_NUM_THREADS=1 $(PY) examples/sr_outside_downscalers.py --scale 4
	OMP_NUM_THREADS=1 $(PY) examples/sr_outside_downscalers.py --scale 2
	OMP_NUM_THREADS=1 $(PY) examples/bench_sr.py train --scale 4 --gan 300 --out runs/bench/sr4
	OMP_NUM_THREADS=1 $(PY) examples/bench_sr.py train --scale 4 --steps 800 --set routed=no --set precision=fp32 --out runs/bench/sr4-800
	OMP_NUM_THREADS=1 $(PY) examples/bench_sr.py train --scale 4 --degradation bicubic --gan 300 --set precision=fp32 --out runs/bench/sr-bicubic
	OMP_NUM_THREADS=1 $(PY) examples/bench_sr.py train --scale 2 --degradation bicubic --gan 300 --set precision=fp32 --out runs/bench/sr-bicubic
	OMP_NUM_THREADS=1 $(PY) examples/bench_sr.py train --scale 4 --steps 1500 --set precision=bf16 --set routed=no
	OMP_NUM_THREADS=1 $(PY) examples/bench_sr.py gan --init x4-mixed --steps 300 --set precision=fp32
	OMP_NUM_THREADS=1 $(PY) examples/bench_sr.py gan --init x4-mixed --steps 300 --set gan_weight=5e-2 --set precision=fp32
	OMP_NUM_THREADS=1 $(PY) examples/bench_sr.py train --scale 4 --model fast --steps 1500 --degradation bicubic --set precision=fp32 --out runs/bench/sr4-deg
	OMP_NUM_THREADS=1 $(PY) examples/bench_sr.py train --scale 4 --model fast --steps 1500 --degradation mixed --set routed=no --set precision=fp32 --out runs/bench/sr4-deg
	OMP_NUM_THREADS=1 $(PY) examples/bench_video.py --out runs/bench/video --steps 300
	OMP_NUM_THREADS=1 $(PY) examples/bench_video.py --out runs/bench/video-w13 --data moving-digits --only shift
	OMP_NUM_THREADS=1 $(PY) examples/bench_video.py --out runs/bench/video-w13-cam --data camera --only shift
	OMP_NUM_THREADS=1 $(PY) examples/bench_crypto.py --seeds 10 --jobs 2 --budget standard --out runs/bench/crypto-pad
	OMP_NUM_THREADS=1 $(PY) examples/outside_attacker.py runs/bench/crypto-pad/seed-0
	OMP_NUM_THREADS=1 $(VENV)/bin/gansuite train neural-crypto --out runs/bench/crypto-mix-control --steps 3000 --set arch=mix --set eves=paper --set ab_loss=mean
	OMP_NUM_THREADS=1 $(PY) examples/outside_attacker.py runs/bench/crypto-mix-control
	OMP_NUM_THREADS=1 $(VENV)/bin/gansuite train neural-crypto --out runs/bench/crypto-pad18 --seed 0 --quiet
	OMP_NUM_THREADS=1 $(VENV)/bin/gansuite crypto runs/bench/crypto-pad18 retrain --attacker mlp32x2 --jobs 2
	OMP_NUM_THREADS=1 $(VENV)/bin/gansuite crypto runs/bench/crypto-mix-control retrain --attacker mlp32x2 --resets 1 --steps 20000
	OMP_NUM_THREADS=1 $(VENV)/bin/gansuite crypto runs/bench/crypto-mix-control retrain --attacker paper --resets 1 --steps 10000
	OMP_NUM_THREADS=1 $(PY) examples/bench_crypto.py --seeds 10 --jobs 2 --budget full --out runs/bench/crypto-new
	OMP_NUM_THREADS=1 $(PY) examples/bench_crypto.py --seeds 10 --jobs 2 --budget full --out runs/bench/crypto-product --set arch=product
	OMP_NUM_THREADS=1 $(PY) examples/bench_crypto.py --seeds 10 --jobs 2 --budget full --out runs/bench/crypto-old --set arch=mix --set eves=paper --set ab_loss=mean
	OMP_NUM_THREADS=1 $(PY) examples/bench_fake_detection.py --out runs/bench/fake-detection
	OMP_NUM_THREADS=1 $(PY) examples/bench_synthetic_records.py --seeds 0,1,2,3,4 --steps 2000 --out runs/bench/records
	OMP_NUM_THREADS=1 $(PY) examples/bench_synthetic_records.py --seeds 0,1,2,3,4 --steps 2000 --out runs/bench/records-ema80 --set ema_half_life=80
	OMP_NUM_THREADS=1 $(PY) examples/bench_synthetic_records.py --seeds 0,1,2,3,4 --steps 2000 --out runs/bench/records-lr5e-4 --set lr=0.0005
	OMP_NUM_THREADS=1 $(PY) examples/bench_synthetic_records.py --seeds 0,1,2,3,4 --steps 2000 --out runs/bench/records-g3x256 --set g_dims=256,256,256
	for s in modes=1 batch=354 d_dims=512,512 lr=0.001 gp=1 noise=32; do OMP_NUM_THREADS=1 $(PY) examples/bench_synthetic_records.py --seeds 0,1 --steps 2000 --out runs/bench/records-screen-$$s --set $$s; done
	OMP_NUM_THREADS=1 $(PY) examples/bench_synthetic_records.py --seeds 0,1 --steps 1000 --out runs/bench/records-dp10 --set dp=true batch=100 noise_multiplier=4.81 epsilon=10
	$(PY) -m pip install -q -e examples/plugins/gansuite-toy2d
	OMP_NUM_THREADS=1 $(PY) examples/bench_toy2d.py --data grid ring --seeds 3 --jobs 1 --out runs/bench/toy2d

clean:
	rm -rf runs gansuite-demo .pytest_cache
