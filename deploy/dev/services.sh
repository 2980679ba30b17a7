# shellcheck shell=bash
# Source this file (". deploy/dev/services.sh") to make sure the local
# PostgreSQL and Redis answer, starting them if they are installed but
# stopped, and to export the variables that point the test suites at them:
#   BACKDESK_TEST_POSTGRES  a superuser URL; each test gets its own database
#   BACKDESK_TEST_REDIS     each test leases one of the numbered databases
# Override either variable before sourcing to use other servers.

: "${BACKDESK_TEST_POSTGRES:=postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"
: "${BACKDESK_TEST_REDIS:=redis://127.0.0.1:6379/0}"
export BACKDESK_TEST_POSTGRES BACKDESK_TEST_REDIS

backdesk_pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
backdesk_redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

if ! backdesk_pg_up; then
	echo "PostgreSQL is not answering on 127.0.0.1:5432; trying to start it" >&2
	if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
		for v in /etc/postgresql/*; do
			pg_ctlcluster --skip-systemctl-redirect "$(basename "$v")" main start || true
		done
	fi
	for _ in $(seq 1 30); do backdesk_pg_up && break; sleep 1; done
	backdesk_pg_up || echo "PostgreSQL is still down: see docs/development.md" >&2
fi

if ! backdesk_redis_up; then
	echo "Redis is not answering on 127.0.0.1:6379; trying to start it" >&2
	if command -v redis-server >/dev/null 2>&1; then
		mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
		redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
			--dir /var/lib/redis --logfile /var/log/redis/backdesk-dev.log || true
	fi
	for _ in $(seq 1 30); do backdesk_redis_up && break; sleep 1; done
	backdesk_redis_up || echo "Redis is still down: see docs/development.md" >&2
fi
