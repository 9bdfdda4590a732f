# Build, run and test the JWT service.  The targets work whatever the
# clone's folder is called: the module is built by kodev in a staging
# folder of fixed name, build/app, whose src/ and assets/ link back here.

PORT		?= 8888
SANITIZE	?= 0
WERROR		?= 0

BUILD		= build
UNIT_DIR	= $(BUILD)/unit
DEV_SECRET	= conf/dev.secret

# What make run needs, and what make test needs on top (the tests start
# their own PostgreSQL and nginx on loopback).
RUN_PACKAGES	= kore libssl-dev libyajl-dev curl
TEST_PACKAGES	= libcmocka-dev python3-jwt libjwt-dev postgresql nginx

# The Kore-free core: unit-tested without a server.
CORE		= b64url hmac jsonobj token tokencache media login authz credentials config
# Observability: audit lines and the shared metrics counters.
CORE		+= audit metrics
# Users: password hashes, the users file and login throttling.
CORE		+= passhash userstore throttle
CORE_SRCS	= $(CORE:%=functions/%.c)
CORE_HDRS	= $(CORE:%=functions/%.h)
MODULE_SRCS	= $(wildcard functions/*.c) $(wildcard functions/*.h) \
		  $(wildcard assets/*) conf/build.conf
UNIT_TESTS	= $(CORE:%=$(UNIT_DIR)/test_%)

CC		?= cc
CFLAGS		= -std=c99 -D_DEFAULT_SOURCE -g -O1 -Ifunctions
CFLAGS		+= -Wall -Wextra -Wmissing-declarations -Wshadow
CFLAGS		+= -Wstrict-prototypes -Wmissing-prototypes
CFLAGS		+= -Wpointer-arith -Wcast-qual -Wsign-compare
LDLIBS		= -lcmocka -lcrypto -lyajl

# throttle.c uses a process-shared pthread mutex.
CFLAGS		+= -pthread
KODEV_ENV	=
FLAVOR		= dev

ifeq ($(WERROR), 1)
CFLAGS		+= -Werror
KODEV_ENV	+= CFLAGS=-Werror
endif

ifeq ($(SANITIZE), 1)
CFLAGS		+= -fsanitize=address,undefined -fno-omit-frame-pointer
CFLAGS		+= -fno-sanitize-recover=all
LDFLAGS		+= -fsanitize=address,undefined
FLAVOR		= sanitize
UNIT_DIR	= $(BUILD)/unit-sanitize
endif

# Each flavor has its own kodev staging folder, because kodev reuses any
# object file newer than its source whatever flavor built it.
APP_NAME	= $(if $(filter dev,$(FLAVOR)),app,app-$(FLAVOR))
STAGE		= $(BUILD)/$(APP_NAME)
MODULE		= $(STAGE)/$(APP_NAME).so

# The stock kore binary is not instrumented, so the sanitizer runtimes are
# preloaded into it when it loads a sanitize-flavor module.
ifeq ($(SANITIZE), 1)
KORE_PRELOAD	= $(shell $(CC) -print-file-name=libasan.so) \
		  $(shell $(CC) -print-file-name=libubsan.so)
endif

.PHONY: all deps test-deps install-packages module unit interop test http fuzz bench run \
	kodev clean FORCE

all: module

# Installs the Debian packages that make run (deps) or make test
# (test-deps) needs, through sudo when not root.  Elsewhere it lists them.
# A policy-rc.d that denies every start, while none exists, keeps the
# postgresql and nginx packages from starting their own services.
deps:
	@$(MAKE) --no-print-directory install-packages \
	    WANTED="$(RUN_PACKAGES)"

test-deps:
	@$(MAKE) --no-print-directory install-packages \
	    WANTED="$(RUN_PACKAGES) $(TEST_PACKAGES) npm"

install-packages:
	@missing=""; \
	for p in $(WANTED); do \
		if [ "$$p" = npm ]; then \
			command -v npm >/dev/null || \
			    missing="$$missing nodejs npm"; \
			continue; \
		fi; \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
		    grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null; then \
		echo "missing packages; install:$$missing" >&2; exit 1; \
	fi; \
	sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	echo "installing:$$missing"; \
	policy=/usr/sbin/policy-rc.d; added=0; \
	if [ ! -e $$policy ]; then \
		printf '#!/bin/sh\nexit 101\n' | $$sudo tee $$policy >/dev/null && \
		    $$sudo chmod 755 $$policy && added=1; \
	fi; \
	$$sudo apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq \
	    $$missing; \
	status=$$?; \
	[ $$added = 0 ] || $$sudo rm -f $$policy; \
	exit $$status

module: $(MODULE)

# Records the flags of the last build, so that a change (WERROR=1, say)
# rebuilds everything: kodev and make only compare file times.
FLAGS_STAMP	= $(BUILD)/flags-$(APP_NAME)
FLAGS_NOW	= $(CC) $(CFLAGS) $(LDFLAGS) $(KODEV_ENV)

$(FLAGS_STAMP): FORCE
	@mkdir -p $(BUILD)
	@echo '$(FLAGS_NOW)' | cmp -s - $@ || echo '$(FLAGS_NOW)' > $@

FORCE:

# kodev rebuilds only the .c files newer than their objects, so a changed
# header (a structure's layout, say) or changed flags rebuild everything.
$(MODULE): $(MODULE_SRCS) $(FLAGS_STAMP)
	@if [ $(FLAGS_STAMP) -nt $(STAGE)/.objs ] || [ ! -f $@ ] || \
	    [ -n "$$(find functions -name '*.h' -newer $@)" ]; then \
		rm -rf $(STAGE)/.objs; \
	fi
	@mkdir -p $(STAGE)/conf
	@ln -sfn ../../functions $(STAGE)/src
	@ln -sfn ../../assets $(STAGE)/assets
	@ln -sfn ../../../conf/build.conf $(STAGE)/conf/build.conf
	@ln -sfn ../../../conf/app.conf $(STAGE)/conf/$(APP_NAME).conf
	cd $(STAGE) && env $(KODEV_ENV) KORE_BUILD_FLAVOR=$(FLAVOR) kodev build
	@touch $@

$(UNIT_DIR)/test_%: tests/unit/test_%.c $(CORE_SRCS) $(CORE_HDRS) \
    tests/unit/testutil.h $(FLAGS_STAMP)
	@mkdir -p $(UNIT_DIR)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(CORE_SRCS) $(LDLIBS)

unit: $(UNIT_TESTS)
	@sh tests/unit/run.sh $(UNIT_TESTS)

HTTP_ENV	= APP_MODULE=$(CURDIR)/$(MODULE) KORE_PRELOAD="$(KORE_PRELOAD)"

# The other JWT implementations the interop tests run: libjwt through a
# small C tool, jsonwebtoken at the version package-lock.json pins.
LIBJWT_TOOL	= $(BUILD)/interop/libjwt_tool
NODE_JWT	= tests/interop/node/node_modules/jsonwebtoken

$(LIBJWT_TOOL): tests/interop/libjwt_tool.c
	@mkdir -p $(dir $@)
	$(CC) -std=c99 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -o $@ $< -ljwt

$(NODE_JWT): tests/interop/node/package-lock.json
	cd tests/interop/node && npm ci --no-audit --no-fund --silent
	@touch $@

interop: $(LIBJWT_TOOL) $(NODE_JWT)

# The users-file tool, a program of its own: it stays out of functions/,
# where kodev compiles every .c file into the module.
TOOL		= $(BUILD)/jwt-users
TOOL_SRCS	= tools/jwt-users.c functions/passhash.c functions/userstore.c \
		  functions/b64url.c functions/jsonobj.c

.PHONY: tool
tool: $(TOOL)

$(TOOL): $(TOOL_SRCS) $(CORE_HDRS) $(FLAGS_STAMP)
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(TOOL_SRCS) -lcrypto -lyajl

http: module interop tool
	@$(HTTP_ENV) bash tests/http/run.sh

test: test-deps
	@$(MAKE) --no-print-directory $(UNIT_TESTS) module interop tool
	@$(HTTP_ENV) bash tests/run.sh $(UNIT_TESTS)

# The service against a no-auth ceiling and Node, on loopback
# (bench/RESULTS.md has the method and the latest results).
bench:
	@bash bench/run.sh

# libFuzzer harnesses, FUZZ_SECONDS each (tests/fuzz/run.sh lists the
# settings).  Not part of make test: a run takes minutes.
fuzz:
	@bash tests/fuzz/run.sh

$(DEV_SECRET):
	@umask 077 && head -c 48 /dev/urandom | od -An -tx1 | tr -d ' \n' > $@
	@echo "generated a development secret in $@"

$(BUILD)/run.conf: conf/server.conf.in
	@mkdir -p $(BUILD)
	sed -e 's|@MODULE@|$(MODULE)|' -e 's|@PORT@|$(PORT)|' \
	    -e 's|@PIDFILE@|$(BUILD)/kore.pid|' \
	    -e 's|@APP_CONF@|conf/app.conf|' conf/server.conf.in > $@

# Starts Kore in the foreground.  Settings already in the environment win;
# the rest come from conf/dev.env and the generated development secret.
run: deps module $(DEV_SECRET)
	@rm -f $(BUILD)/run.conf && $(MAKE) --no-print-directory $(BUILD)/run.conf
	@set -a; . ./conf/dev.env; set +a; \
	if [ -z "$${JWT_SECRET+set}" ] && [ -z "$${JWT_SECRET_FILE+set}" ]; then \
		export JWT_SECRET_FILE=$(DEV_SECRET); \
	fi; \
	echo "JWT service on http://127.0.0.1:$(PORT)/jwt and /bearer"; \
	if [ "$$AUTH_USERNAME:$$AUTH_PASSWORD" = "twilio:ahoy" ]; then \
		echo "development credentials: twilio / ahoy (conf/dev.env)"; \
	fi; \
	exec kore -fnr -c $(BUILD)/run.conf

# Prepares this folder for kodev, which wants src/ and conf/<folder>.conf.
KODEV_APP	= $(notdir $(CURDIR))
kodev: conf/server.conf.in
	@case "$(CURDIR)" in *[[:space:]]*) \
		echo "kodev cannot build in a folder whose name has white" \
		    "space: $(CURDIR)" >&2; exit 1;; \
	esac
	@ln -sfn functions src
	sed -e 's|@MODULE@|./$(KODEV_APP).so|' -e 's|@PORT@|$(PORT)|' \
	    -e 's|@PIDFILE@|kore.pid|' -e 's|@APP_CONF@|conf/app.conf|' \
	    conf/server.conf.in \
	    > conf/$(KODEV_APP).conf
	@echo "ready for kodev: src -> functions, conf/$(KODEV_APP).conf"

clean:
	rm -rf $(BUILD) .objs cert src kore.pid dh2048.pem
	rm -rf tests/interop/node/node_modules bench/out bench/node/node_modules
	rm -f conf/$(KODEV_APP).conf $(KODEV_APP).so

# ---------------------------------------------------------------------------
# Production install: the prod-flavor module, Kore's production conf, the
# nginx site that terminates TLS in front of it, the systemd unit and an
# example environment file.  README.md, section "Deployment", has the
# steps around it (user, certificate, secrets, nginx).
#
#   make install [DESTDIR=/staging] [PREFIX=/usr/local] [SYSCONFDIR=/etc]
#
# An existing environment file or TLS file is never overwritten.

PREFIX		?= /usr/local
SYSCONFDIR	?= /etc
LOCALSTATEDIR	?= /var
UNITDIR		?= $(PREFIX)/lib/systemd/system
SERVICE_USER	?= jwt-service
SVC_PORT	?= 8088
TLS_PORT	?= 443
SERVER_NAME	?= _
KORE_BIN	?= /usr/bin/kore
INSTALL		?= install

SVC_LIBDIR	= $(PREFIX)/lib/jwt-service
SVC_CONFDIR	= $(SYSCONFDIR)/jwt-service
SVC_LOGDIR	= $(LOCALSTATEDIR)/log/jwt-service
SVC_CHROOT	= $(LOCALSTATEDIR)/lib/jwt-service/empty
# The unit's RuntimeDirectory= creates the pid file's directory under
# /run; RUNSTATEDIR is for staging trees and tests only.
RUNSTATEDIR	?= /run
SVC_RUNDIR	= $(RUNSTATEDIR)/jwt-service
SVC_ENV		= $(SVC_CONFDIR)/jwt-service.env
PROD_MODULE	= $(BUILD)/app-prod/app-prod.so
PROD_OUT	= $(BUILD)/prod

SVC_SUBST	= -e 's|@MODULE@|$(SVC_LIBDIR)/app.so|g' \
		  -e 's|@CONFDIR@|$(SVC_CONFDIR)|g' \
		  -e 's|@LOGDIR@|$(SVC_LOGDIR)|g' \
		  -e 's|@RUNDIR@|$(SVC_RUNDIR)|g' \
		  -e 's|@CHROOT@|$(SVC_CHROOT)|g' \
		  -e 's|@USER@|$(SERVICE_USER)|g' \
		  -e 's|@PORT@|$(SVC_PORT)|g' \
		  -e 's|@TLS_PORT@|$(TLS_PORT)|g' \
		  -e 's|@SERVER_NAME@|$(SERVER_NAME)|g' \
		  -e 's|@KORE@|$(KORE_BIN)|g'

.PHONY: install uninstall prod-module single-binary

prod-module:
	@$(MAKE) --no-print-directory module FLAVOR=prod SANITIZE=0

# Regenerated on every install, because the paths come from the command
# line.
$(PROD_OUT)/kore.conf: conf/prod.conf.in FORCE
$(PROD_OUT)/nginx-site.conf: conf/nginx-site.conf.in FORCE
$(PROD_OUT)/jwt-service.service: conf/jwt-service.service.in FORCE
$(PROD_OUT)/kore.conf $(PROD_OUT)/nginx-site.conf \
    $(PROD_OUT)/jwt-service.service:
	@mkdir -p $(dir $@)
	@sed $(SVC_SUBST) $< > $@.tmp && mv $@.tmp $@

install: prod-module $(PROD_OUT)/kore.conf $(PROD_OUT)/nginx-site.conf \
    $(PROD_OUT)/jwt-service.service
	$(INSTALL) -d -m 0755 $(DESTDIR)$(SVC_LIBDIR) $(DESTDIR)$(SVC_CONFDIR) \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SVC_CHROOT)
	$(INSTALL) -d -m 0700 $(DESTDIR)$(SVC_CONFDIR)/tls
	$(INSTALL) -d -m 0750 $(DESTDIR)$(SVC_LOGDIR)
	$(INSTALL) -m 0644 $(PROD_MODULE) $(DESTDIR)$(SVC_LIBDIR)/app.so
	$(INSTALL) -m 0644 $(PROD_OUT)/kore.conf conf/app.conf \
	    $(PROD_OUT)/nginx-site.conf conf/nginx-proxy.conf \
	    conf/jwt-service.env.example $(DESTDIR)$(SVC_CONFDIR)
	$(INSTALL) -m 0644 $(PROD_OUT)/jwt-service.service $(DESTDIR)$(UNITDIR)
	@if [ -e $(DESTDIR)$(SVC_ENV) ]; then \
		echo "kept the existing $(DESTDIR)$(SVC_ENV)"; \
	else \
		echo "$(INSTALL) -m 0600 conf/jwt-service.env.example" \
		    "$(DESTDIR)$(SVC_ENV)"; \
		$(INSTALL) -m 0600 conf/jwt-service.env.example \
		    $(DESTDIR)$(SVC_ENV); \
	fi
	@[ -e $(DESTDIR)$(SVC_CONFDIR)/tls/cert.pem ] || \
	    echo "next: put cert.pem and key.pem into" \
		"$(DESTDIR)$(SVC_CONFDIR)/tls (README.md, Deployment)"

# Removes what install wrote, except the environment file, the TLS files
# and the logs, which hold the site's own data.
uninstall:
	rm -f $(DESTDIR)$(SVC_LIBDIR)/app.so \
	    $(DESTDIR)$(SVC_CONFDIR)/kore.conf \
	    $(DESTDIR)$(SVC_CONFDIR)/app.conf \
	    $(DESTDIR)$(SVC_CONFDIR)/nginx-site.conf \
	    $(DESTDIR)$(SVC_CONFDIR)/nginx-proxy.conf \
	    $(DESTDIR)$(SVC_CONFDIR)/jwt-service.env.example \
	    $(DESTDIR)$(UNITDIR)/jwt-service.service
	-rmdir $(DESTDIR)$(SVC_LIBDIR) $(DESTDIR)$(SVC_CHROOT) 2>/dev/null
	@echo "kept $(DESTDIR)$(SVC_CONFDIR) (environment file, TLS files)" \
	    "and $(DESTDIR)$(SVC_LOGDIR)"

# Kore and the module in one executable, through kodev's single_binary
# mode (global to a build.conf, so it has its own staging folder).  The
# binary embeds the production kore.conf for these paths, without its
# `load` line, and reads app.conf at run time.  NOTE: Kore 4.1.0's
# single-binary main() leaves option parsing to kore_parent_configure(),
# which does not parse options, so the binary ignores -f, -n, -r and -q: it
# always forks into the background and needs root for chroot and runas.
KORE_SOURCE	?= /usr/share/kore
# Debian's kore package is built with these (/usr/share/kore/features).
# Without PGSQL=1 the workers' seccomp filter lacks socket(), which a
# worker of the forked-off binary calls when syslog has no connection.
SB_KORE_FLAVOR	= PGSQL=1 TASKS=1
# kodev names the binary after its folder.
SB_ROOT		?= $(BUILD)/single
SB_STAGE	= $(SB_ROOT)/jwt-service
SB_BIN		= $(SB_STAGE)/jwt-service

single-binary: $(PROD_OUT)/kore.conf
	@mkdir -p $(SB_STAGE)/conf
	@ln -sfn $(CURDIR)/functions $(SB_STAGE)/src
	@ln -sfn $(CURDIR)/assets $(SB_STAGE)/assets
	@sed '/^load[[:space:]]/d' $(PROD_OUT)/kore.conf > \
	    $(SB_STAGE)/conf/jwt-service.conf
	@{ echo 'single_binary=yes'; echo 'kore_source=$(KORE_SOURCE)'; \
	    echo 'kore_flavor=$(SB_KORE_FLAVOR)'; \
	    cat conf/build.conf; } > $(SB_STAGE)/conf/build.conf
	@# Everything is rebuilt: Kore's Makefile does not notice a changed
	@# flavor, nor kodev a changed header.
	@rm -rf $(SB_STAGE)/.objs
	@# Kore's own Makefile reads SANITIZE as -fsanitize's argument, and
	@# make passes command-line variables on through MAKEFLAGS.
	cd $(SB_STAGE) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u SANITIZE \
	    $(KODEV_ENV) KORE_BUILD_FLAVOR=prod kodev build
	@echo "built $(SB_BIN)"
