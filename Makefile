# Fledge: the README's commands are `make demo` and `make test`; both run `make deps` first.
SWIFT ?= swift
RELEASE_BIN := .build/release

.PHONY: deps build build-static test demo simulate bench-analysis bench-kube bench-controller clean

deps:
	@hack/deps.sh

build: deps
	$(SWIFT) build

build-static: deps
	SWIFT=$(SWIFT) hack/build-static.sh

test: deps
	hack/check-standalone.sh
	$(SWIFT) build --build-tests
	hack/check-manifests.sh
	# The planner's simulation uses every core for a couple of minutes: on its own, before the rest, so it never
	# starves the end-to-end tests of CPU.
	$(SWIFT) test --skip-build --filter PlannerSimulationTests
	$(SWIFT) test --skip-build --skip PlannerSimulationTests

demo: deps
	@hack/demo.sh

# The planner's deterministic simulation, longer than in `make test`: 50,000 schedules (about half an hour on 2
# cores); FLEDGE_SIM_SEED picks the first seed.
SIM_SCHEDULES ?= 50000
simulate:
	$(SWIFT) build --build-tests
	FLEDGE_SIM_SCHEDULES=$(SIM_SCHEDULES) FLEDGE_SIM_SECONDS=36000 $(SWIFT) test --skip-build --filter PlannerSimulationTests

bench-analysis:
	$(SWIFT) build -c release --product fledge-bench-analysis
	$(RELEASE_BIN)/fledge-bench-analysis --output docs/benchmarks/analysis.md

bench-kube:
	$(SWIFT) build -c release --product fledge-bench-kube
	$(RELEASE_BIN)/fledge-bench-kube --output docs/benchmarks/kube.md

bench-controller:
	$(SWIFT) build -c release --product fledge-emulator
	$(SWIFT) build -c release --product fledge-bench-controller
	$(RELEASE_BIN)/fledge-bench-controller --output docs/benchmarks/controller.md

clean:
	rm -rf .build
