# Backdesk's tasks. `make run` and `make test` need nothing but Go.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go
PKGS := ./...
SERVICES := onboarding access workqueue router audit console devstack ctl

.PHONY: screenshots run test test-go test-pg test-dex test-kube test-faults test-faults-full test-race lint bench bench-scale build clean

## run: the whole platform in one process on http://127.0.0.1:8080
# Built first and run as itself: under `go run`, Ctrl-C would end in
# "exit status 1" although the platform stopped cleanly.
run:
	@$(GO) build -o bin/backdesk-dev ./services/devstack/cmd/backdesk-dev
	@exec ./bin/backdesk-dev

## screenshots: the console's pages, per persona, for docs/console.md
screenshots:
	@mkdir -p docs/screenshots
	BACKDESK_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test -count=1 -run TestEveryPageIsAccessible ./services/devstack/

## test: lint, then every test suite (on PostgreSQL and Redis too under CI=true;
## under CI=true also the chart on a real Kubernetes cluster, test-kube)
test: lint test-go
	@if [ "$${CI:-}" = "true" ]; then $(MAKE) --no-print-directory test-faults && $(MAKE) --no-print-directory test-kube; fi

test-go:
	@if [ "$${CI:-}" = "true" ]; then . deploy/dev/services.sh; bash deploy/dev/browser.sh; . deploy/dev/axe.sh; . deploy/dev/dex.sh; fi; \
	$(GO) test -count=1 -timeout 45m $(PKGS)

## test-dex: Backdesk against a real Dex (built once into the tools cache), with Chromium
test-dex:
	@. deploy/dev/dex.sh; bash deploy/dev/browser.sh; \
	$(GO) test -count=1 -timeout 15m ./services/devstack/dexsuite/

## test-kube: the chart installed on a real single-node Kubernetes cluster
## (deploy/kube: built once into the tools cache, ~25 min cold; needs root).
## The cluster stays up for the next run; under CI=true it is wiped after.
test-kube:
	@. deploy/dev/services.sh; \
	bash deploy/kube/cluster.sh up >/dev/null; \
	status=0; BACKDESK_KUBE_TEST=1 $(GO) test -count=1 -timeout 40m -v ./charts/clustertest/ || status=$$?; \
	if [ "$${CI:-}" = "true" ]; then bash deploy/kube/cluster.sh down --wipe || true; fi; \
	exit $$status

## test-faults: the services as separate processes behind nginx, on a PostgreSQL
## cluster and a Redis of the suite's own, killed and starved under load
## (docs/reliability.md; BACKDESK_FAULTS_SIZE=full for the larger run)
test-faults:
	@. deploy/dev/nginx.sh; \
	BACKDESK_FAULTS=1 BACKDESK_FAULTS_REPORT=$(CURDIR)/docs/reliability.md \
	$(GO) test -count=1 -timeout 60m -v -run TestFaults ./services/faults/

## test-faults-full: the faults suite at its larger size (50 agents, longer windows)
test-faults-full:
	@$(MAKE) --no-print-directory test-faults BACKDESK_FAULTS_SIZE=full

## test-pg: the same suites against the local PostgreSQL and Redis, outside CI
test-pg:
	. deploy/dev/services.sh; if [ "$${CI:-}" = "true" ]; then bash deploy/dev/browser.sh; fi; \
	$(GO) test -count=1 -timeout 45m $(PKGS)

## test-race: the suites with the race detector (slower; not part of make test)
test-race:
	$(GO) test -race -count=1 -timeout 60m $(PKGS)

## lint: formatting, go vet and staticcheck
lint:
	@bad=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$bad" ]; then echo "gofmt needed on:"; echo "$$bad"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) tool staticcheck $(PKGS)

## bench: every benchmark, each with its ratio to the baseline of the same run
bench:
	@. deploy/dev/services.sh; \
	$(GO) test -run '^$$' -bench . -benchmem -timeout 60m $(PKGS) | $(GO) run ./pkg/platform/benchratio/cmd/benchratio

## bench-scale: each operation's cost with a billing company of 1%, 10% and 100%
## of a large one loaded (BACKDESK_SCALE picks the sizes; docs/development.md)
bench-scale:
	@. deploy/dev/services.sh; \
	BACKDESK_SCALE="$${BACKDESK_SCALE:-1%,10%,100%}" $(GO) test -count=1 -run TestCostsAsTheDataGrows -v -timeout 4h ./services/scalebench/

## build: one binary per service under bin/
build:
	@mkdir -p bin
	@for s in $(SERVICES); do \
		$(GO) build -trimpath -o bin/ ./services/$$s/cmd/... ; \
	done
	@ls bin

clean:
	rm -rf bin .backdesk
