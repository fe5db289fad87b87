# Fledge: the README's commands are `make demo` and `make test`; both run `make deps` first.
SWIFT ?= swift
RELEASE_BIN := .build/release

.PHONY: deps build build-static test demo bench-analysis bench-kube bench-controller clean

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
	$(SWIFT) test --skip-build

demo: deps
	@hack/demo.sh

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
