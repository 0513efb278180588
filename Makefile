# sm: a batch speech-to-text toolchain.  See README.md.
VERSION = 0.1.0
PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
DATADIR = $(PREFIX)/share/sm
DESTDIR ?=

CC ?= cc
PKGS = sndfile samplerate openblas libcurl libmpg123
# Asked when a recipe runs, not when make reads this file: `make deps all`
# installs the -dev packages before the first compile needs their flags.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS ?= -O2 -g
WARN = -std=c11 -Wall -Wextra -Wno-unused-parameter
CPPFLAGS += -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 $(LAYER_INC) \
	-DSM_VERSION='"$(VERSION)"' -DSM_MODELS_DIR='"$(DATADIR)/models"'
LDFLAGS += -Wl,--as-needed
LDLIBS += $(PKG_LIBS) -lm -lpthread

ifeq ($(SANITIZE),1)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined build/common/sanitize.o
# build/common/sanitize.o is linked as an object (from libsm.a it would
# lose to the shared sanitizer runtime's weak defaults): no leak checking,
# stack traces on, even where the environment is cleared.  Under
# `make test`, every sanitizer report goes to build/sanitizer/, which must
# stay empty: a report behind a test that expects a failure is not missed.
SAN_ENV = ASAN_OPTIONS=detect_leaks=0:log_path=$(CURDIR)/build/sanitizer/asan \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$(CURDIR)/build/sanitizer/ubsan
endif

PROGS := $(notdir $(wildcard cmd/*))
SCRIPTS := $(notdir $(wildcard scripts/sm-*))
# Two libraries, one above the other (docs/ARCHITECTURE.md):
#   common/  libsm.a     what every program shares: diagnostics, options,
#                        sm-stream(5) I/O, files, JSON, language packs;
#   recog/   librecog.a  the recogniser: front end, acoustic model,
#                        dictionary, LM, search, lattice, mapped images.
# recog/ may use common/, never the reverse: common/ compiles without
# recog/ on its include path, so an upward #include does not build.
COMMON_OBJ := $(patsubst %.c,build/%.o,$(wildcard common/*.c))
RECOG_OBJ := $(patsubst %.c,build/%.o,$(wildcard recog/*.c))
LIBS_A := build/librecog.a build/libsm.a
LAYER_INC = -Icommon -Irecog
build/common/%.o: LAYER_INC = -Icommon
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,build/tests/%,$(UNIT_SRC))
MAN1 := $(wildcard man/*.1)
MAN5 := $(wildcard man/*.5)

all: $(addprefix bin/,$(PROGS) $(SCRIPTS)) $(UNIT_BIN)

# Objects remember whether they were built with SANITIZE=1: switching
# rebuilds them all rather than linking plain objects into a sanitized test.
BUILD_KIND := $(if $(filter 1,$(SANITIZE)),sanitize,plain)
ifneq ($(shell cat build/kind 2>/dev/null),$(BUILD_KIND))
$(shell mkdir -p build && echo $(BUILD_KIND) > build/kind)
endif

build/%.o: %.c build/kind
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(WARN) $(CFLAGS) -MMD -MP -c -o $@ $<

build/libsm.a: $(COMMON_OBJ)
	rm -f $@
	ar rcs $@ $^

build/librecog.a: $(RECOG_OBJ)
	rm -f $@
	ar rcs $@ $^

# sm-am links OpenBLAS statically when the archive is there: the shared
# library's 12000 symbol relocations cost each run about 5 ms, more than
# the rest of its start-up from an acoustic image.  It and the programs
# that need nothing but libc and libm are linked whole as static PIEs: no
# dynamic loader, no symbol lookups at each start (2.5 to 5 ms less per run,
# paid per file in a pipeline), ASLR kept.  Sanitized builds stay dynamic:
# their runtimes are shared libraries.
# sm-features scores with the acoustic model too (--warp auto); sm-adapt
# reads its mixture weights from the acoustic image.
# Whether OpenBLAS's archive is there is also decided when the link runs
# (deferred variables), after `make deps` may have installed it.
STATIC_PROGS := sm-lattice
BLAS_PROGS := sm-am sm-features sm-adapt
OPENBLAS_A = $(wildcard $(patsubst %/,%,$(shell pkg-config --variable=libdir openblas 2>/dev/null))/libopenblas.a)
$(addprefix bin/,$(BLAS_PROGS)): LDLIBS = $(if $(OPENBLAS_A),$(OPENBLAS_A) -lm -lpthread,$(PKG_LIBS) -lm -lpthread)
ifneq ($(SANITIZE),1)
$(addprefix bin/,$(STATIC_PROGS)): LDFLAGS += -static-pie
$(addprefix bin/,$(STATIC_PROGS)): LDLIBS := -lm -lpthread
$(addprefix bin/,$(BLAS_PROGS)): LDFLAGS += $(if $(OPENBLAS_A),-static-pie)
endif

define prog_rule
bin/$(1): $$(patsubst %.c,build/%.o,$$(wildcard cmd/$(1)/*.c)) $$(LIBS_A)
	@mkdir -p bin
	$$(CC) $$(CFLAGS) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach p,$(PROGS),$(eval $(call prog_rule,$(p))))

# Programs embed DATADIR (sm_models_root, @SM_MODELS_DIR@): rebuild what does
# when PREFIX or DATADIR changes, so `make install PREFIX=...` is right.
DATADIR_STAMP := build/datadir.stamp
$(shell mkdir -p build && { [ "$$(cat $(DATADIR_STAMP) 2>/dev/null)" = '$(DATADIR)' ] || \
	printf '%s\n' '$(DATADIR)' >$(DATADIR_STAMP); })
build/common/pack.o: $(DATADIR_STAMP)

# sm-transcribe is installed alone: its job-config checker (a jq program)
# goes inside it, in place of the line @JOB_CONFIG_JQ@, and so does the
# checker's output for the default config and limits, in place of
# @DEFAULT_CONFIG_SH@, which a job without a config uses instead of running
# jq (made by gojq where installed, else jq, as sm-transcribe chooses; empty
# when neither is here: such a job then runs it).  Both lines
# stand between single quotes, so each ' becomes '\''.
SQ = sed "s/'/'\\\\''/g"
build/job-config.jq.sq: scripts/job-config.jq
	@mkdir -p build
	$(SQ) $< > $@
build/default-config.sh.sq: scripts/job-config.jq
	@mkdir -p build
	{ j=$$(command -v gojq || command -v jq) && \
		printf '%s\n' '{"type":"transcription","transcription_config":{"language":"en"}}' | \
		"$$j" -s -r --arg max_bytes 4G --arg max_seconds 7200 -f $< 2>/dev/null || true; } | $(SQ) > $@
bin/sm-transcribe: build/job-config.jq.sq build/default-config.sh.sq
bin/%: scripts/% $(DATADIR_STAMP)
	@mkdir -p bin
	sed -e 's|@SM_VERSION@|$(VERSION)|g' -e 's|@SM_MODELS_DIR@|$(DATADIR)/models|g' \
		-e '/^@JOB_CONFIG_JQ@$$/{r build/job-config.jq.sq' -e 'd;}' \
		-e '/^@DEFAULT_CONFIG_SH@$$/{r build/default-config.sh.sq' -e 'd;}' $< > $@
	chmod +x $@

build/tests/%: build/tests/unit/%.o $(LIBS_A)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# test_entity runs sm-format's entity reader over tests/entities.tsv.
FORMAT_OBJ := $(patsubst %.c,build/%.o,$(filter-out %/main.c,$(wildcard cmd/sm-format/*.c)))
build/tests/unit/test_entity.o: CPPFLAGS += -Icmd/sm-format
build/tests/test_entity: build/tests/unit/test_entity.o $(FORMAT_OBJ) $(LIBS_A)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

-include $(shell find build -name '*.d' 2>/dev/null)

# The English pack's model files, from which its images are built.
AM_HMM := $(shell sed -n 's/^hmm[[:space:]]*=[[:space:]]*//p' models/en/pack.conf)

# The English pack's search image (sm-lattice(1)): the lexicon tree, built
# once and memory-mapped at start-up, then checked in full (checksum and
# every node), which sm-lattice does not do at each start.
# Rebuilt when sm-lattice or a model file it fingerprints (recog/image.c)
# changes.
all: models/en/search.img
PACK_DICT := $(shell sed -n 's/^dict[[:space:]]*=[[:space:]]*//p' models/en/pack.conf)
PACK_LM := $(shell sed -n 's/^lm[[:space:]]*=[[:space:]]*//p' models/en/pack.conf)
models/en/search.img: bin/sm-lattice models/en/pack.conf $(wildcard $(PACK_DICT) $(PACK_LM) \
		$(addprefix $(AM_HMM)/,mdef transition_matrices noisedict))
	SM_MODELS=models bin/sm-lattice --model models/en --build-image $@
	SM_MODELS=models bin/sm-lattice --model models/en --check-image

# The English pack's acoustic image (sm-am(1)): the scorer's tables, built
# once and memory-mapped at start-up, then checked in full (checksum),
# which sm-am does not do at each start; rebuilt when sm-am or a model
# file it fingerprints changes.
all: models/en/am.img
models/en/am.img: bin/sm-am models/en/pack.conf $(wildcard $(addprefix $(AM_HMM)/,mdef means variances sendump))
	SM_MODELS=models bin/sm-am --model models/en --build-image $@
	SM_MODELS=models bin/sm-am --model models/en --check-image

# The English pack's adaptation image (sm-adapt(1)): the Gaussians as the
# alignment scores them and the MLLR prior's sums, built once and
# memory-mapped at start-up, then checked in full; rebuilt when sm-adapt
# or a model file it fingerprints changes.
all: models/en/adapt.img
models/en/adapt.img: bin/sm-adapt models/en/pack.conf $(wildcard $(addprefix $(AM_HMM)/,mdef means variances))
	SM_MODELS=models bin/sm-adapt --model models/en --build-image $@
	SM_MODELS=models bin/sm-adapt --model models/en --check-image

# The English pack's spelling table (sm-format(1) --locale): locale pairs
# and names' capitals, derived from Debian's wamerican and wbritish word
# lists (scripts/spelling.awk says how) for the words of the dictionary.
all: models/en/spelling.txt
SPELL_LISTS := $(addprefix /usr/share/dict/,american-english british-english \
	american-english-large british-english-large)
models/en/spelling.txt: scripts/spelling.sh scripts/spelling.awk $(wildcard $(PACK_DICT) $(SPELL_LISTS))
	sh scripts/spelling.sh $(PACK_DICT) >$@.tmp && mv $@.tmp $@

# The English pack's letter-to-sound model (recog/lts.h, pack.conf's lts):
# trained from the dictionary by models/lts-train.c, a build tool that is
# not installed.
all: models/en/lts.bin
build/lts-train: build/models/lts-train.o $(LIBS_A)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
models/en/lts.bin: build/lts-train $(wildcard $(PACK_DICT))
	build/lts-train $(PACK_DICT) $@.tmp && mv $@.tmp $@

# The English pack's narrowband map (recog/fe.h, pack.conf's narrowband):
# committed, since it is learned from recordings a build machine need not
# have; `make nb-map` learns it again with scripts/nb-train.sh, from the
# parallel 16 kHz and 8 kHz asterisk prompts of Debian's
# asterisk-core-sounds-en-g722 and -wav, with models/nb-train.c.
all: build/nb-train
build/nb-train: build/models/nb-train.o $(LIBS_A)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
.PHONY: nb-map
nb-map: build/nb-train bin/sm-decode bin/sm-features
	sh scripts/nb-train.sh models/en/narrowband.txt

# Fuzz harnesses (fuzz/fuzz_NAME.c): make builds each with a plain main
# that replays saved inputs (tests/fuzz.bats runs them); `make fuzz` runs
# them under libFuzzer for a bounded time (scripts/fuzz.sh, FUZZ_TIME=s).
FUZZ_NAMES := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_REPLAY := $(patsubst %,build/fuzz/%-replay,$(FUZZ_NAMES))
FUZZ_WRAP = -Wl,--wrap=sm_die,--wrap=sm_die_errno
all: $(FUZZ_REPLAY)
build/fuzz/%-replay: build/fuzz/fuzz_%.o build/fuzz/fuzz.o build/fuzz/replay.o $(LIBS_A)
	$(CC) $(CFLAGS) $(LDFLAGS) $(FUZZ_WRAP) -o $@ $^ $(LDLIBS)

# Keep the harness objects: make would otherwise delete them as intermediates.
.SECONDARY: $(patsubst %,build/fuzz/fuzz_%.o,$(FUZZ_NAMES)) build/fuzz/fuzz.o build/fuzz/replay.o

fuzz: deps
	nice -n 15 sh scripts/fuzz.sh $(FUZZ_NAMES)
.PHONY: fuzz

deps:
	@sh scripts/install-deps.sh

# The test environment: programs from bin/, packs from models/.
TEST_ENV = PATH="$(CURDIR)/bin:$$PATH" SM_MODELS="$(CURDIR)/models" \
	SM_ROOT="$(CURDIR)" OPENBLAS_NUM_THREADS=1 $(SAN_ENV)

check: deps
	$(MAKE) -j$$(nproc) all
	$(MAKE) test

test: all
	@rm -rf build/sanitizer && mkdir -p build/sanitizer
	$(TEST_ENV) sh scripts/run-tests.sh $(UNIT_BIN)
	@! ls build/sanitizer/* >/dev/null 2>&1 || \
		{ cat build/sanitizer/*; echo "make test: sanitizer reports above" >&2; exit 1; }

manlint:
	mandoc -Tlint -W warning $(MAN1) $(MAN5)

bench: deps all
	$(TEST_ENV) sh scripts/bench.sh

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(DATADIR)/models
	for p in $(PROGS) $(SCRIPTS); do install -m 755 bin/$$p $(DESTDIR)$(BINDIR)/$$p; done
	for m in $(MAN1); do install -m 644 $$m $(DESTDIR)$(MANDIR)/man1/; done
	for m in $(MAN5); do install -m 644 $$m $(DESTDIR)$(MANDIR)/man5/; done
	cp -R models/. $(DESTDIR)$(DATADIR)/models/

uninstall:
	for p in $(PROGS) $(SCRIPTS); do rm -f $(DESTDIR)$(BINDIR)/$$p; done
	for m in $(MAN1); do rm -f $(DESTDIR)$(MANDIR)/man1/$$(basename $$m); done
	for m in $(MAN5); do rm -f $(DESTDIR)$(MANDIR)/man5/$$(basename $$m); done
	rm -rf $(DESTDIR)$(DATADIR)

# The container image (Containerfile): FROM scratch on a root assembled from
# `make install` and the host's Debian files; podman, no registry.
IMAGE ?= localhost/sm-en:latest
image: all
	@mkdir -p build
	d=$$(mktemp -d build/image.XXXXXX) && \
	{ MAKE='$(MAKE)' sh scripts/image-root.sh "$$d" '$(PREFIX)' && \
	  sh scripts/image-build.sh "$$d" '$(IMAGE)'; st=$$?; rm -rf "$$d"; exit $$st; }

# The README's set-up commands, run as written on a minimal Debian 12 root
# that has none of the packages (scripts/fresh-check.sh; as root).
fresh-check:
	sh scripts/fresh-check.sh

clean:
	rm -rf build bin

.PHONY: all deps check test manlint bench install uninstall image fresh-check clean
