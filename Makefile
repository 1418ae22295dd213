# clipcut: the two commands are `make run` and `make test`. Both install what
# is missing on a Debian or Ubuntu machine (as root or with sudo), build the
# web app and the binary, then serve or test.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export PATH := /usr/local/go/bin:$(PATH)

GO ?= go
NPM ?= npm
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages clipcut runs on (PostgreSQL for the private cluster,
# ffmpeg for media, pocketsphinx and espeak-ng for subtitles and their
# tests) and tests with (Chromium).
RUN_PACKAGES := postgresql ffmpeg pocketsphinx pocketsphinx-en-us espeak-ng
TEST_PACKAGES := $(RUN_PACKAGES) chromium chromium-driver
BENCH_PACKAGES := $(RUN_PACKAGES) nginx wrk hyperfine

# MinIO, a real S3 server for the storage tests, built from source into
# .tools/bin (pinned; about 3 minutes the first time).
MINIO_VERSION := v0.0.0-20260212201848-7aac2a2c5b7c
MINIO := .tools/bin/minio

FRONTEND_SRC := $(shell find frontend/src frontend/public frontend/index.html frontend/graphiql.html frontend/vite.config.ts frontend/package.json -type f 2>/dev/null)
SDK_SRC := $(shell find sdk/js/src -type f 2>/dev/null) sdk/js/package.json sdk/js/tsconfig.json
GO_SRC := $(shell find . -name '*.go' -not -path './frontend/node_modules/*' 2>/dev/null) go.mod go.sum $(wildcard migrations/*.sql) $(wildcard graph/schema/*.graphqls)

.PHONY: run test bench generate check-generated build deps test-deps bench-deps test-go test-frontend test-e2e test-sdk sdk clean help

help:
	@echo "make run       install what is missing, build, serve http://localhost:8080"
	@echo "make test      install what is missing, run Go, frontend and browser tests"
	@echo "make bench     run the benchmarks, print a table and write BENCHMARKS.md"
	@echo "make generate  regenerate gqlgen and GraphQL client code"
	@echo "make build     build the web app and ./clipcut"
	@echo "make sdk       build the JS/TS SDK and pack it (sdk/js/pack/clipcut-sdk-<version>.tgz)"

## Installation ---------------------------------------------------------

# apt_install installs the packages in $(1) that are not installed yet.
define apt_install
	missing=(); for p in $(1); do \
	  dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$$p"); \
	done; \
	if [ $${#missing[@]} -gt 0 ]; then \
	  echo "Installing missing packages: $${missing[*]}"; \
	  $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends "$${missing[@]}"; \
	fi
endef

deps:
	@$(call apt_install,$(RUN_PACKAGES))

test-deps: $(MINIO)
	@$(call apt_install,$(TEST_PACKAGES))

$(MINIO):
	@echo "Building MinIO $(MINIO_VERSION) into .tools/bin (first time only, a few minutes)"
	GOBIN=$(CURDIR)/.tools/bin $(GO) install github.com/minio/minio@$(MINIO_VERSION)

bench-deps:
	@$(call apt_install,$(BENCH_PACKAGES))

frontend/node_modules/.package-lock.json: frontend/package-lock.json frontend/package.json
	cd frontend && $(NPM) ci --no-audit --no-fund
	@touch $@

sdk/js/node_modules/.package-lock.json: sdk/js/package-lock.json sdk/js/package.json
	cd sdk/js && $(NPM) ci --no-audit --no-fund
	@touch $@

## Build ----------------------------------------------------------------

frontend/dist/index.html: frontend/node_modules/.package-lock.json $(FRONTEND_SRC)
	cd frontend && $(NPM) run build

clipcut: frontend/dist/index.html $(GO_SRC)
	$(GO) build -o clipcut ./server

build: clipcut

# The JS/TS SDK (sdk/js): compiled into sdk/js/dist, which examples/node
# links; `make sdk` also packs the publishable npm package.
sdk/js/dist/index.js: sdk/js/node_modules/.package-lock.json $(SDK_SRC)
	cd sdk/js && $(NPM) run build

sdk: sdk/js/dist/index.js
	mkdir -p sdk/js/pack
	cd sdk/js && $(NPM) pack --pack-destination pack

## The two commands -----------------------------------------------------

run: deps build
	./clipcut serve

test: test-deps build check-generated test-go test-frontend test-e2e test-sdk

# The examples' test (server/examples_test.go) runs examples/node on the SDK.
test-go: sdk/js/dist/index.js
	$(GO) vet ./...
	$(GO) test -timeout 40m ./...

test-frontend: frontend/node_modules/.package-lock.json
	cd frontend && $(NPM) test

test-e2e: clipcut frontend/node_modules/.package-lock.json
	cd frontend && CLIPCUT_BIN=$(CURDIR)/clipcut $(NPM) run e2e

# The SDK's tests: unit tests, and the SDK against a real instance.
test-sdk: clipcut sdk/js/node_modules/.package-lock.json
	cd sdk/js && CLIPCUT_BIN=$(CURDIR)/clipcut $(NPM) test

## Other ----------------------------------------------------------------

# Benchmarks measure and print; they never fail the build. One alone:
# go run ./bench -only transcode (see go run ./bench -h).
bench: bench-deps build
	$(GO) run ./bench

generate: frontend/node_modules/.package-lock.json sdk/js/node_modules/.package-lock.json
	$(GO) tool gqlgen generate
	cd frontend && $(NPM) run codegen
	cd sdk/js && $(NPM) run codegen

# Generated code is committed; regenerating must not change it.
check-generated: generate
	@if git rev-parse --git-dir >/dev/null 2>&1 && ! git diff --quiet -- graph frontend/src/gql sdk/js/src/generated; then \
	  git --no-pager diff --stat -- graph frontend/src/gql sdk/js/src/generated; \
	  echo "Generated code is out of date: run 'make generate' and commit the result."; exit 1; \
	fi

clean:
	rm -f clipcut
	rm -rf frontend/dist/assets frontend/dist/index.html
	rm -rf sdk/js/dist sdk/js/pack
