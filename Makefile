# The course in two commands:  make start   (the latent explorer app)   make test   (run every test)
# Then: make lab (the lessons in JupyterLab), make compare (training runs side by side),
# make book (the course as a website).
# Every target creates .venv on first use and reuses it afterwards.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
# Idle OpenMP threads sleep instead of spinning (see bench/README.md): kernels inherit this.
OMP_WAIT_POLICY ?= PASSIVE
export OMP_WAIT_POLICY

.PHONY: start lab test book data compare clean-cache

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first, pinned: a CPU build; anything else would pull gigabytes of CUDA packages
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	# no "get Jupyter news?" prompt in JupyterLab: the course makes no network calls
	$(BIN)/jupyter labextension disable --level=sys_prefix "@jupyterlab/apputils-extension:announcements" >/dev/null 2>&1
	touch $(STAMP)

start: $(STAMP)  ## the latent explorer app on http://127.0.0.1:7860 (offline; models from the zoo)
	GRADIO_ANALYTICS_ENABLED=False HF_HUB_OFFLINE=1 $(BIN)/python apps/latent_explorer.py

lab: $(STAMP)  ## open the lessons in JupyterLab (offline, no news or update checks)
	$(BIN)/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir=lessons \
		--LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate

test: $(STAMP)  ## unit tests and every lesson, in quick mode unless KIT_QUICK=0
	KIT_QUICK=$${KIT_QUICK:-1} $(BIN)/python -m pytest

book: $(STAMP)  ## the course as a website in book/_build/html (quick mode unless KIT_QUICK=0; offline)
	KIT_QUICK=$${KIT_QUICK:-1} $(BIN)/python -m book.build

data: $(STAMP)  ## download MNIST and FSDD into $KIT_DATA_DIR (default data/); needs the network
	$(BIN)/python -m kit download mnist
	$(BIN)/python -m kit download fsdd

compare: $(STAMP)  ## compare training runs in the browser (streamlit; offline, no usage statistics)
	$(BIN)/streamlit run apps/compare_models.py --server.headless true --browser.gatherUsageStats false

clean-cache:  ## delete derived files (features, synthesized speech, partial downloads)
	rm -rf .kit-cache
