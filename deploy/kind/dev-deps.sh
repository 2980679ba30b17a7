#!/bin/sh
# Brings up Backdesk's development dependencies in the kind cluster:
#   1. a development CA and a certificate for backdesk.localhost and
#      dex.localhost, made once with openssl and kept outside the repository;
#   2. the Secret backdesk-dev-tls holding them;
#   3. the manifests in deploy/dev (PostgreSQL, Redis, OpenLDAP, Dex, the
#      OpenTelemetry Collector), then waits until they are ready.
#
# skaffold runs it before each deploy of the dev profile; it is safe to run
# by hand and to run again.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
context=${SKAFFOLD_KUBE_CONTEXT:-${KUBE_CONTEXT:-kind-backdesk}}
ns=backdesk
certs=${BACKDESK_DEV_CERTS:-${XDG_CACHE_HOME:-$HOME/.cache}/backdesk-dev}

k() { kubectl --context "$context" "$@"; }

if [ ! -s "$certs/tls.crt" ]; then
	echo "dev-deps: creating the development CA and certificate in $certs"
	mkdir -p "$certs"
	umask 077
	openssl req -x509 -newkey rsa:2048 -nodes -days 3650 \
		-subj "/CN=Backdesk development CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" \
		-keyout "$certs/ca.key" -out "$certs/ca.crt" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -subj "/CN=backdesk.localhost" \
		-keyout "$certs/tls.key" -out "$certs/tls.csr" 2>/dev/null
	cat >"$certs/tls.ext" <<EXT
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:backdesk.localhost,DNS:dex.localhost
EXT
	openssl x509 -req -days 397 -in "$certs/tls.csr" \
		-CA "$certs/ca.crt" -CAkey "$certs/ca.key" -CAcreateserial \
		-extfile "$certs/tls.ext" -out "$certs/tls.crt" 2>/dev/null
fi

k apply -f "$root/deploy/dev/namespace.yaml"
k -n "$ns" create secret generic backdesk-dev-tls --type=kubernetes.io/tls \
	--from-file=tls.crt="$certs/tls.crt" \
	--from-file=tls.key="$certs/tls.key" \
	--from-file=ca.crt="$certs/ca.crt" \
	--dry-run=client -o yaml | k apply -f -

for f in secrets postgres redis openldap dex otel-collector; do
	k apply -f "$root/deploy/dev/$f.yaml"
done

for r in statefulset/postgres statefulset/redis deployment/openldap deployment/dex deployment/otel-collector; do
	k -n "$ns" rollout status "$r" --timeout=300s
done
