#!/usr/bin/env bash
# A real single-node Kubernetes cluster on this machine, from the binaries that
# deploy/kube/build.sh builds: etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, containerd (Debian's), kubelet and kube-proxy, each a plain
# process with a PID file, and CoreDNS as a pod. Needs root (containers,
# iptables, cgroups).
#
#   bash deploy/kube/cluster.sh up            # start (idempotent), wait for the
#                                              # node to be Ready, print kubeconfig path
#   bash deploy/kube/cluster.sh down [--wipe]  # stop; --wipe also removes pods,
#                                              # bridge, iptables rules, cgroups, state
#   bash deploy/kube/cluster.sh kubeconfig     # print the admin kubeconfig path
#   bash deploy/kube/cluster.sh status
#   bash deploy/kube/cluster.sh smoke [--keep] # Deployment + NodePort Service check
#   bash deploy/kube/cluster.sh import IMAGE.tar...  # load OCI archives into containerd
#   bash deploy/kube/cluster.sh tag IMAGE NEW-NAME... # give an imported image more names
#   bash deploy/kube/cluster.sh kubectl ARGS...      # kubectl with the admin kubeconfig
#
# State (certificates, kubeconfigs, etcd data, containerd root, logs, PID
# files) lives in ${BACKDESK_KUBE_STATE:-$HOME/.cache/backdesk/kube}; logs are
# in its logs/ directory.
set -euo pipefail

KUBE_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Pinned versions, cache paths and the build functions.
# shellcheck source=build.sh
. "$KUBE_HERE/build.sh"

STATE=${BACKDESK_KUBE_STATE:-$HOME/.cache/backdesk/kube}
NODE_NAME=${BACKDESK_KUBE_NODE:-backdesk-node}
API_PORT=${BACKDESK_KUBE_API_PORT:-6443}
# The API server must be reachable from pods (the "kubernetes" Service points
# at the node IP), so it binds to all addresses unless told otherwise.
API_BIND=${BACKDESK_KUBE_API_BIND:-0.0.0.0}
ETCD_PORT=${BACKDESK_KUBE_ETCD_PORT:-2379}
ETCD_PEER_PORT=${BACKDESK_KUBE_ETCD_PEER_PORT:-2380}
SERVICE_CIDR=${BACKDESK_KUBE_SERVICE_CIDR:-10.96.0.0/16}
API_SERVICE_IP=${BACKDESK_KUBE_API_SERVICE_IP:-10.96.0.1}
DNS_SERVICE_IP=${BACKDESK_KUBE_DNS_SERVICE_IP:-10.96.0.10}
POD_CIDR=${BACKDESK_KUBE_POD_CIDR:-10.244.0.0/24}
BRIDGE=${BACKDESK_KUBE_BRIDGE:-bdk0}
CNI_NETWORK=backdesk
CGROUP_ROOT=backdesk
READY_TIMEOUT=${BACKDESK_KUBE_READY_TIMEOUT:-180}

PKI=$STATE/pki
RUN=$STATE/run
LOGS=$STATE/logs
KUBECONFIG_ADMIN=$STATE/admin.kubeconfig
CTRD_DIR=$STATE/containerd
CTRD_SOCK=$RUN/containerd.sock
CNI_CONF_DIR=$STATE/cni/net.d
KUBELET_DIR=$STATE/kubelet

KUBECTL=$KUBE_DIR/kubectl

die() {
	echo "cluster.sh: $*" >&2
	exit 1
}
say() { echo "cluster.sh: $*" >&2; }

# ---- prerequisites -----------------------------------------------------------

CNI_BIN_DIR=
find_cni_bin() {
	local d
	for d in ${BACKDESK_CNI_BIN_DIR:-} /usr/lib/cni /opt/cni/bin; do
		if [ -x "$d/bridge" ] && [ -x "$d/host-local" ] && [ -x "$d/loopback" ] && [ -x "$d/portmap" ]; then
			CNI_BIN_DIR=$d
			return 0
		fi
	done
	return 1
}

runtime_found() {
	local c
	for c in containerd containerd-shim-runc-v2 ctr runc iptables iptables-save conntrack openssl ip curl setsid flock; do
		command -v "$c" >/dev/null 2>&1 || return 1
	done
	find_cni_bin
}

# Install the container runtime and network tools from Debian when missing.
ensure_runtime() {
	runtime_found && return 0
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
		die "containerd, runc, CNI plugins, iptables or conntrack are missing; install the Debian packages containerd runc containernetworking-plugins iptables conntrack"
	fi
	say "installing containerd, runc, CNI plugins, iptables, conntrack with apt-get"
	local log
	log=$(mktemp)
	if ! { apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			containerd runc containernetworking-plugins iptables conntrack openssl iproute2 curl util-linux; } >"$log" 2>&1; then
		cat "$log" >&2
		rm -f "$log"
		die "apt-get could not install the container runtime"
	fi
	rm -f "$log"
	runtime_found || die "runtime packages installed but a command or CNI plugin is still missing"
}

ensure_binaries() {
	if [ ! -f "$KUBE_DIR/.complete" ] || [ ! -f "$ETCD_DIR/.complete" ] ||
		[ ! -f "$COREDNS_DIR/.complete" ] || ! images_current; then
		say "building binaries (bash deploy/kube/build.sh)"
		build_main all >/dev/null
	fi
}

images_current() {
	[ -f "$IMAGES_DIR/.complete" ] && [ "$(cat "$IMAGES_DIR/.complete")" = "$(images_sum)" ]
}

node_ip() {
	if [ -n "${BACKDESK_KUBE_NODE_IP:-}" ]; then
		echo "$BACKDESK_KUBE_NODE_IP"
		return
	fi
	local ip
	ip=$(ip -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p' | head -n1)
	if [ -z "$ip" ]; then
		ip=$(ip -4 -o addr show scope global | awk '{ sub(/\/.*/, "", $4); print $4; exit }')
	fi
	[ -n "$ip" ] || die "cannot find this machine's IPv4 address; set BACKDESK_KUBE_NODE_IP"
	echo "$ip"
}

host_setup() {
	local f
	sysctl_set() { [ "$(cat "$1" 2>/dev/null)" = "$2" ] || echo "$2" >"$1" 2>/dev/null || say "warning: cannot set $1=$2"; }
	sysctl_set /proc/sys/net/ipv4/ip_forward 1
	if [ ! -e /proc/sys/net/bridge/bridge-nf-call-iptables ]; then
		modprobe br_netfilter 2>/dev/null || true
	fi
	[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] ||
		say "warning: br_netfilter is not loaded; Services may not work from pods"
	for f in /proc/sys/net/bridge/bridge-nf-call-iptables /proc/sys/net/bridge/bridge-nf-call-ip6tables; do
		if [ -e "$f" ]; then sysctl_set "$f" 1; fi
	done
	# The kubelet's cgroup root must exist in every hierarchy.
	for f in $(cgroup_dirs); do
		mkdir -p "$f"
	done
}

# The cgroup directories of this cluster (one per v1 hierarchy, or one on v2).
cgroup_dirs() {
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		echo "/sys/fs/cgroup/$CGROUP_ROOT"
		return
	fi
	local d
	for d in /sys/fs/cgroup/*/; do
		[ -L "${d%/}" ] && continue
		[ -f "$d/cgroup.procs" ] || continue
		echo "${d%/}/$CGROUP_ROOT"
	done
}

# ---- certificates and kubeconfigs ---------------------------------------------

# gen_ca NAME CN: a self-signed CA key and certificate.
gen_ca() {
	openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/$1.key" 2>/dev/null
	chmod 600 "$PKI/$1.key"
	openssl req -x509 -new -key "$PKI/$1.key" -subj "/CN=$2" -days 3650 -sha256 \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
		-out "$PKI/$1.crt" 2>/dev/null
}

# gen_cert NAME CN ORG USAGE [SAN]: a key and a certificate signed by the CA
# $CA (default: ca). USAGE is clientAuth, serverAuth or "serverAuth,clientAuth".
gen_cert() {
	local name=$1 cn=$2 org=$3 usage=$4 san=${5:-} ca=${CA:-ca}
	local subj="/CN=$cn"
	[ -n "$org" ] && subj="/O=$org$subj"
	openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/$name.key" 2>/dev/null
	openssl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
	{
		echo "basicConstraints=critical,CA:FALSE"
		echo "keyUsage=critical,digitalSignature,keyEncipherment"
		echo "extendedKeyUsage=$usage"
		if [ -n "$san" ]; then echo "subjectAltName=$san"; fi
	} >"$PKI/$name.ext"
	openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" -CAcreateserial \
		-days 3650 -sha256 -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
	rm -f "$PKI/$name.csr" "$PKI/$name.ext"
	chmod 600 "$PKI/$name.key"
}

ensure_pki() {
	local ip=$1
	mkdir -p "$PKI"
	chmod 700 "$PKI"
	if [ ! -f "$PKI/ca.crt" ]; then
		say "generating certificates in $PKI"
		gen_ca ca backdesk-kube-ca
	fi
	# The aggregation layer (front proxy) has a CA of its own.
	if [ ! -f "$PKI/front-proxy-ca.crt" ]; then
		gen_ca front-proxy-ca backdesk-kube-front-proxy-ca
		rm -f "$PKI/front-proxy-client.crt"
	fi
	[ -f "$PKI/front-proxy-client.crt" ] ||
		CA=front-proxy-ca gen_cert front-proxy-client front-proxy-client "" clientAuth
	if [ ! -f "$PKI/sa.key" ]; then
		openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
		openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
		chmod 600 "$PKI/sa.key"
	fi
	# The API server's names include the node IP: regenerate when it changes.
	local san="DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,IP:127.0.0.1,IP:$API_SERVICE_IP,IP:$ip"
	if [ ! -f "$PKI/apiserver.crt" ] || [ "$(cat "$PKI/apiserver.san" 2>/dev/null)" != "$san" ]; then
		gen_cert apiserver kube-apiserver "" serverAuth "$san"
		echo "$san" >"$PKI/apiserver.san"
	fi
	local spec name cn org
	for spec in \
		"admin|kubernetes-admin|system:masters" \
		"apiserver-kubelet-client|kube-apiserver-kubelet-client|system:masters" \
		"controller-manager|system:kube-controller-manager|" \
		"scheduler|system:kube-scheduler|" \
		"kubelet|system:node:$NODE_NAME|system:nodes" \
		"kube-proxy|system:kube-proxy|"; do
		IFS='|' read -r name cn org <<<"$spec"
		[ -f "$PKI/$name.crt" ] || gen_cert "$name" "$cn" "$org" clientAuth
	done
}

# put FILE: write stdin to FILE unless FILE already holds exactly that (a
# rewrite makes kube-proxy exit, since it watches its config file).
# PUT_CHANGED is 1 after a put that changed its file.
PUT_CHANGED=0
put() {
	local tmp=$1.tmp.$$
	cat >"$tmp"
	if cmp -s "$tmp" "$1"; then
		rm -f "$tmp"
		PUT_CHANGED=0
	else
		mv "$tmp" "$1"
		PUT_CHANGED=1
	fi
}

# restart_if_changed NAME: after a put, stop NAME (if running) when its
# config file changed, so that the start that follows applies it.
restart_if_changed() {
	if [ "$PUT_CHANGED" = 1 ] && alive "$1"; then
		say "$1: configuration changed, restarting"
		stop "$1"
	fi
}

# write_kubeconfig NAME: $STATE/NAME.kubeconfig with the client cert NAME.
write_kubeconfig() {
	local name=$1 file=$STATE/$1.kubeconfig
	put "$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: backdesk
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority: $PKI/ca.crt
users:
- name: $name
  user:
    client-certificate: $PKI/$name.crt
    client-key: $PKI/$name.key
contexts:
- name: backdesk
  context:
    cluster: backdesk
    user: $name
current-context: backdesk
EOF
	chmod 600 "$file"
}

# ---- configuration files ---------------------------------------------------------

write_configs() {
	local ip=$1 n
	for n in admin controller-manager scheduler kubelet kube-proxy; do
		write_kubeconfig "$n"
	done
	mkdir -p "$CTRD_DIR" "$CNI_CONF_DIR" "$STATE/cni/ipam" "$KUBELET_DIR" "$RUN" "$LOGS"

	put "$CTRD_DIR/config.toml" <<EOF
# containerd for the backdesk local cluster (written by deploy/kube/cluster.sh)
version = 2
root = "$CTRD_DIR/root"
state = "$CTRD_DIR/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "$CTRD_SOCK"

[ttrpc]
  address = "$CTRD_SOCK.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "$CTRD_DIR/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # Root here may lack CAP_SYS_RESOURCE: without this every sandbox fails
  # with "can't get final child's PID from pipe".
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$CTRD_DIR/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN_DIR"
    conf_dir = "$CNI_CONF_DIR"
    max_conf_num = 1
EOF
	restart_if_changed containerd

	put "$CNI_CONF_DIR/10-$CNI_NETWORK.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "$CNI_NETWORK",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "ipMasq": true,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "$POD_CIDR" }]],
        "routes": [{ "dst": "0.0.0.0/0" }],
        "dataDir": "$STATE/cni/ipam"
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOF

	put "$KUBELET_DIR/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $ip
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
containerRuntimeEndpoint: unix://$CTRD_SOCK
cgroupDriver: cgroupfs
cgroupRoot: /$CGROUP_ROOT
failCgroupV1: false
failSwapOn: false
protectKernelDefaults: false
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: $PKI/ca.crt
authorization:
  mode: Webhook
clusterDomain: cluster.local
clusterDNS: [$DNS_SERVICE_IP]
resolvConf: /etc/resolv.conf
rotateCertificates: false
serverTLSBootstrap: false
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: 100Mi
  nodefs.available: 1%
  nodefs.inodesFree: 1%
  imagefs.available: 1%
maxPods: 110
EOF
	restart_if_changed kubelet

	put "$STATE/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection:
  kubeconfig: $STATE/kube-proxy.kubeconfig
hostnameOverride: $NODE_NAME
mode: iptables
clusterCIDR: $POD_CIDR
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# NodePorts answer on 127.0.0.1 and the node IP only.
nodePortAddresses: [127.0.0.0/8, $ip/32]
iptables:
  localhostNodePorts: true
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
EOF
	restart_if_changed kube-proxy
}

# ---- processes -----------------------------------------------------------------

# alive NAME: the process of RUN/NAME.pid runs (and is the program we started).
alive() {
	local pidf=$RUN/$1.pid pid exe
	[ -f "$pidf" ] || return 1
	pid=$(cat "$pidf")
	[ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
	exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
	case "$exe" in
	*/"$1" | */"$1"" (deleted)") return 0 ;;
	esac
	return 1
}

# start NAME BINARY ARGS...: start a daemon in its own session, log to LOGS.
start() {
	local name=$1
	shift
	if alive "$name"; then
		return 0
	fi
	say "starting $name"
	echo "==== $(date -u +%FT%TZ) start" >>"$LOGS/$name.log"
	setsid "$@" </dev/null >>"$LOGS/$name.log" 2>&1 8>&- 9>&- &
	echo $! >"$RUN/$name.pid"
	sleep 0.2
	alive "$name" || { tail -n 20 "$LOGS/$name.log" >&2; die "$name exited at once (log: $LOGS/$name.log)"; }
}

# stop NAME...: SIGTERM to all of them, SIGKILL to those still there after
# ten seconds.
stop() {
	local name pid pids="" i
	for name in "$@"; do
		if alive "$name"; then
			pid=$(cat "$RUN/$name.pid")
			say "stopping $name ($pid)"
			kill -TERM "$pid" 2>/dev/null || true
			pids="$pids $pid"
		fi
		rm -f "$RUN/$name.pid"
	done
	[ -n "$pids" ] || return 0
	for i in $(seq 1 50); do
		for pid in $pids; do
			[ -d "/proc/$pid" ] && break
			pid=
		done
		[ -z "$pid" ] && return 0
		sleep 0.2
	done
	for pid in $pids; do
		kill -KILL "$pid" 2>/dev/null || true
	done
	sleep 0.2
}

# wait_for DESC SECONDS COMMAND...: poll COMMAND every half second.
wait_for() {
	local desc=$1 secs=$2 i
	shift 2
	for i in $(seq 1 $((secs * 2))); do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.5
	done
	die "timed out after ${secs}s waiting for $desc (logs: $LOGS)"
}

kc() { "$KUBECTL" --kubeconfig "$KUBECONFIG_ADMIN" "$@"; }
ctr_() { ctr --address "$CTRD_SOCK" --namespace k8s.io "$@"; }

etcd_healthy() { curl -fsS "http://127.0.0.1:$ETCD_PORT/health" | grep -q '"health":"true"'; }
api_ready() { kc get --raw /readyz; }

start_etcd() {
	mkdir -p "$STATE/etcd"
	chmod 700 "$STATE/etcd"
	start etcd "$ETCD_DIR/etcd" \
		--name backdesk \
		--data-dir "$STATE/etcd/data" \
		--listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
		--advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
		--listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
		--initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
		--initial-cluster "backdesk=http://127.0.0.1:$ETCD_PEER_PORT" \
		--unsafe-no-fsync \
		--log-level warn
	wait_for etcd 60 etcd_healthy
}

start_apiserver() {
	local ip=$1
	start kube-apiserver "$KUBE_DIR/kube-apiserver" \
		--etcd-servers "http://127.0.0.1:$ETCD_PORT" \
		--bind-address "$API_BIND" \
		--secure-port "$API_PORT" \
		--advertise-address "$ip" \
		--allow-privileged=true \
		--authorization-mode Node,RBAC \
		--enable-admission-plugins NodeRestriction \
		--client-ca-file "$PKI/ca.crt" \
		--tls-cert-file "$PKI/apiserver.crt" \
		--tls-private-key-file "$PKI/apiserver.key" \
		--kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" \
		--kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
		--kubelet-preferred-address-types InternalIP \
		--service-account-issuer https://kubernetes.default.svc.cluster.local \
		--service-account-key-file "$PKI/sa.pub" \
		--service-account-signing-key-file "$PKI/sa.key" \
		--service-cluster-ip-range "$SERVICE_CIDR" \
		--requestheader-client-ca-file "$PKI/front-proxy-ca.crt" \
		--requestheader-allowed-names front-proxy-client \
		--requestheader-username-headers X-Remote-User \
		--requestheader-group-headers X-Remote-Group \
		--requestheader-extra-headers-prefix X-Remote-Extra- \
		--proxy-client-cert-file "$PKI/front-proxy-client.crt" \
		--proxy-client-key-file "$PKI/front-proxy-client.key" \
		--profiling=false
	wait_for kube-apiserver 120 api_ready
}

start_controllers() {
	start kube-controller-manager "$KUBE_DIR/kube-controller-manager" \
		--kubeconfig "$STATE/controller-manager.kubeconfig" \
		--authentication-kubeconfig "$STATE/controller-manager.kubeconfig" \
		--authorization-kubeconfig "$STATE/controller-manager.kubeconfig" \
		--bind-address 127.0.0.1 \
		--leader-elect=false \
		--root-ca-file "$PKI/ca.crt" \
		--service-account-private-key-file "$PKI/sa.key" \
		--use-service-account-credentials=true \
		--cluster-signing-cert-file "$PKI/ca.crt" \
		--cluster-signing-key-file "$PKI/ca.key" \
		--service-cluster-ip-range "$SERVICE_CIDR" \
		--profiling=false
	start kube-scheduler "$KUBE_DIR/kube-scheduler" \
		--kubeconfig "$STATE/scheduler.kubeconfig" \
		--authentication-kubeconfig "$STATE/scheduler.kubeconfig" \
		--authorization-kubeconfig "$STATE/scheduler.kubeconfig" \
		--bind-address 127.0.0.1 \
		--leader-elect=false \
		--profiling=false
}

start_containerd() {
	start containerd "$(command -v containerd)" --config "$CTRD_DIR/config.toml"
	wait_for containerd 60 ctr --address "$CTRD_SOCK" version
	import_images "$IMAGES_DIR/pause.tar" "$IMAGES_DIR/smoke.tar" "$COREDNS_DIR/coredns.tar"
}

# import_images TAR...: load OCI image archives into containerd's k8s.io namespace.
import_images() {
	local t
	for t in "$@"; do
		ctr_ images import "$t" >/dev/null ||
			die "cannot import $t into containerd"
	done
}

start_node() {
	local ip=$1
	start kubelet "$KUBE_DIR/kubelet" \
		--config "$KUBELET_DIR/config.yaml" \
		--kubeconfig "$STATE/kubelet.kubeconfig" \
		--root-dir "$KUBELET_DIR/root" \
		--cert-dir "$KUBELET_DIR/pki" \
		--hostname-override "$NODE_NAME" \
		--node-ip "$ip"
	start kube-proxy "$KUBE_DIR/kube-proxy" --config "$STATE/kube-proxy.yaml"
}

# Cluster DNS: CoreDNS as the kube-dns Service on $DNS_SERVICE_IP.
deploy_dns() {
	kc apply -f - >/dev/null <<EOF
apiVersion: v1
kind: ServiceAccount
metadata:
  name: coredns
  namespace: kube-system
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: system:coredns
rules:
- apiGroups: [""]
  resources: [endpoints, services, pods, namespaces]
  verbs: [list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: system:coredns
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: system:coredns
subjects:
- kind: ServiceAccount
  name: coredns
  namespace: kube-system
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: coredns
  namespace: kube-system
data:
  Corefile: |
    .:53 {
        errors
        health {
            lameduck 2s
        }
        ready
        kubernetes cluster.local in-addr.arpa ip6.arpa {
            pods insecure
            fallthrough in-addr.arpa ip6.arpa
            ttl 5
        }
        forward . /etc/resolv.conf
        # Tests create and delete Services all the time: answers about
        # the cluster are not cached.
        cache 30 {
            disable success cluster.local
            disable denial cluster.local
        }
        loop
        reload
        loadbalance
    }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: coredns
  namespace: kube-system
  labels: {k8s-app: kube-dns}
spec:
  replicas: 1
  selector:
    matchLabels: {k8s-app: kube-dns}
  template:
    metadata:
      labels: {k8s-app: kube-dns}
    spec:
      serviceAccountName: coredns
      priorityClassName: system-cluster-critical
      dnsPolicy: Default
      containers:
      - name: coredns
        image: $COREDNS_IMAGE
        imagePullPolicy: Never
        args: [-conf, /etc/coredns/Corefile]
        ports:
        - {name: dns, containerPort: 53, protocol: UDP}
        - {name: dns-tcp, containerPort: 53, protocol: TCP}
        readinessProbe:
          httpGet: {path: /ready, port: 8181}
          periodSeconds: 1
        livenessProbe:
          httpGet: {path: /health, port: 8080}
          periodSeconds: 10
          failureThreshold: 5
        resources:
          limits: {memory: 170Mi}
          requests: {cpu: 50m, memory: 40Mi}
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities:
            add: [NET_BIND_SERVICE]
            drop: [ALL]
        volumeMounts:
        - {name: config, mountPath: /etc/coredns, readOnly: true}
      volumes:
      - name: config
        configMap:
          name: coredns
          items: [{key: Corefile, path: Corefile}]
---
apiVersion: v1
kind: Service
metadata:
  name: kube-dns
  namespace: kube-system
  labels: {k8s-app: kube-dns}
spec:
  clusterIP: $DNS_SERVICE_IP
  selector: {k8s-app: kube-dns}
  ports:
  - {name: dns, port: 53, protocol: UDP}
  - {name: dns-tcp, port: 53, protocol: TCP}
EOF
}

# node_ready [SINCE]: the node is Ready, by a heartbeat at or after SINCE
# (RFC 3339, UTC) when given, so a Ready status left from an earlier run
# does not count.
node_ready() {
	local since=${1:-} out status beat
	out=$(kc get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status} {.status.conditions[?(@.type=="Ready")].lastHeartbeatTime}' 2>/dev/null) || return 1
	read -r status beat <<<"$out"
	[ "$status" = True ] || return 1
	[ -z "$since" ] || [[ ! "$beat" < "$since" ]]
}

cmd_up() {
	[ "$(id -u)" = 0 ] || die "needs root (containers, iptables, cgroups)"
	local t0=$SECONDS
	ensure_runtime
	ensure_binaries
	find_cni_bin
	local ip
	ip=$(node_ip)
	mkdir -p "$STATE" "$RUN" "$LOGS"
	host_setup
	ensure_pki "$ip"
	write_configs "$ip"
	start_etcd
	start_apiserver "$ip"
	start_controllers
	start_containerd
	local since=""
	alive kubelet || since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	start_node "$ip"
	local t1=$SECONDS
	wait_for "node $NODE_NAME to be Ready" "$READY_TIMEOUT" node_ready "$since"
	if [ -n "$since" ]; then
		say "node $NODE_NAME Ready (up in $((SECONDS - t0))s, Ready $((SECONDS - t1))s after the kubelet started)"
	else
		say "node $NODE_NAME Ready (kubelet was running; up in $((SECONDS - t0))s)"
	fi
	deploy_dns
	if kc -n kube-system rollout status deployment/coredns --timeout=90s >/dev/null; then
		say "cluster DNS ready on $DNS_SERVICE_IP (total $((SECONDS - t0))s)"
	else
		say "warning: CoreDNS is not ready; see: kubectl -n kube-system describe pods -l k8s-app=kube-dns"
	fi
	echo "$KUBECONFIG_ADMIN"
}

# kill_pods: stop every container of the cluster (the kubelet must be down).
kill_pods() {
	alive containerd || return 0
	local ids i
	ids=$(ctr_ tasks ls -q 2>/dev/null || true)
	[ -n "$ids" ] || return 0
	say "stopping $(echo "$ids" | wc -l) containers"
	for i in $ids; do
		ctr_ tasks kill --all --signal SIGKILL "$i" >/dev/null 2>&1 || true
	done
	for i in $(seq 1 40); do
		ids=$(ctr_ tasks ls 2>/dev/null | awk 'NR > 1 && $3 != "STOPPED" { print $1 }')
		[ -z "$ids" ] && break
		sleep 0.25
	done
	for i in $(ctr_ tasks ls -q 2>/dev/null || true); do
		ctr_ tasks delete "$i" >/dev/null 2>&1 || true
	done
}

cmd_down() {
	local wipe=false
	[ "${1:-}" = --wipe ] && wipe=true
	stop kube-proxy kubelet
	kill_pods
	stop containerd kube-scheduler kube-controller-manager
	stop kube-apiserver
	stop etcd
	if $wipe; then
		wipe
	fi
}

# unmount everything mounted under the state directory, deepest first.
unmount_state() {
	local m
	[ -d "$STATE" ] || return 0
	local real
	real=$(cd "$STATE" && pwd -P)
	awk -v root="$real/" 'index($5, root) == 1 { print $5 }' /proc/self/mountinfo |
		awk '{ print length($0) " " $0 }' | sort -rn | cut -d' ' -f2- |
		while read -r m; do
			# mountinfo escapes spaces as \040
			m=$(printf '%b' "$m")
			umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || say "warning: cannot unmount $m"
		done
}

# Remove the iptables rules and chains of kube-proxy, the kubelet and the CNI
# bridge network of this cluster.
wipe_iptables() {
	if [ -x "$KUBE_DIR/kube-proxy" ]; then
		"$KUBE_DIR/kube-proxy" --cleanup --v=0 >/dev/null 2>&1 || true
	fi
	local ipt table rules chains rule c
	for ipt in iptables ip6tables; do
		command -v "$ipt-save" >/dev/null 2>&1 || continue
		for table in nat filter mangle raw; do
			rules=$("$ipt-save" -t "$table" 2>/dev/null) || continue
			# Chains: all KUBE-*, and the CNI-* chains that carry or are
			# jumped to by rules with this network's comment.
			chains=$(
				{
					echo "$rules" | sed -n 's/^:\(KUBE-[^ ]*\) .*/\1/p'
					echo "$rules" | { grep -F "name: \\\"$CNI_NETWORK\\\"" || true; } |
						sed -n -e 's/.* -j \(CNI-[^ ]*\).*/\1/p' -e 's/^-A \(CNI-[^ ]*\) .*/\1/p'
				} | sort -u
			) || true
			[ -n "$chains" ] || continue
			# Delete the rules of other chains that jump to those chains or
			# carry this network's comment.
			echo "$rules" | { grep '^-A ' || true; } | while IFS= read -r rule; do
				local chain target
				chain=$(echo "$rule" | awk '{ print $2 }')
				target=$(echo "$rule" | sed -n 's/.* -j \([^ ]*\).*/\1/p')
				if echo "$chains" | grep -qxF "$chain"; then
					continue
				fi
				if { [ -n "$target" ] && echo "$chains" | grep -qxF "$target"; } ||
					echo "$rule" | grep -qF "name: \\\"$CNI_NETWORK\\\""; then
					eval "$ipt -t $table -D ${rule#-A }" 2>/dev/null || true
				fi
			done
			for c in $chains; do
				"$ipt" -t "$table" -F "$c" 2>/dev/null || true
			done
			for c in $chains; do
				"$ipt" -t "$table" -X "$c" 2>/dev/null || true
			done
		done
	done
}

# kill_leftovers: SIGKILL the processes still in the cluster's cgroups (pod
# containers) and the containerd shims of this cluster's containerd (found
# by its socket path on their command line), e.g. after containerd died.
kill_leftovers() {
	local pids="" d f p
	for d in $(cgroup_dirs); do
		[ -d "$d" ] || continue
		while IFS= read -r f; do
			pids="$pids $(tr '\n' ' ' <"$f" 2>/dev/null)"
		done < <(find "$d" -name cgroup.procs)
	done
	for f in /proc/[0-9]*/cmdline; do
		p=${f#/proc/}
		p=${p%/cmdline}
		if tr '\0' '\n' <"$f" 2>/dev/null | grep -qxF -- "$CTRD_SOCK"; then
			pids="$pids $p"
		fi
	done
	pids=$(echo "$pids" | tr ' ' '\n' | sort -un | tr '\n' ' ')
	[ -n "${pids// /}" ] || return 0
	say "killing leftover container processes:$pids"
	# shellcheck disable=SC2086
	kill -KILL $pids 2>/dev/null || true
	sleep 0.5
}

wipe_cgroups() {
	local d
	for d in $(cgroup_dirs); do
		[ -d "$d" ] || continue
		find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
		[ -d "$d" ] && say "warning: cannot remove cgroup $d (processes left in it?)"
	done
	return 0
}

wipe() {
	say "wiping: mounts, network, iptables, cgroups, $STATE"
	kill_leftovers
	unmount_state
	wipe_iptables
	if ip link show "$BRIDGE" >/dev/null 2>&1; then
		ip link delete "$BRIDGE" || say "warning: cannot delete bridge $BRIDGE"
	fi
	wipe_cgroups
	# Binaries of the cache are kept; only the state goes.
	rm -rf "$STATE" || {
		unmount_state
		rm -rf "$STATE"
	}
	say "wiped"
}

cmd_status() {
	local n rc=0
	for n in etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy; do
		if alive "$n"; then
			printf '%-24s running (pid %s)\n' "$n" "$(cat "$RUN/$n.pid")"
		else
			printf '%-24s stopped\n' "$n"
			rc=1
		fi
	done
	if alive kube-apiserver; then
		kc get nodes -o wide 2>&1 || rc=1
	fi
	echo "kubeconfig: $KUBECONFIG_ADMIN"
	return $rc
}

cmd_smoke() {
	local keep=false
	[ "${1:-}" = --keep ] && keep=true
	api_ready >/dev/null 2>&1 || die "the cluster is not up (bash deploy/kube/cluster.sh up)"
	node_ready "" || die "node $NODE_NAME is not Ready"
	local ns=backdesk-smoke
	kc delete namespace "$ns" --ignore-not-found --wait=true >/dev/null
	local t0=$SECONDS
	kc apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Namespace
metadata:
  name: $ns
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
  namespace: $ns
spec:
  replicas: 1
  selector:
    matchLabels: {app: hello}
  template:
    metadata:
      labels: {app: hello}
    spec:
      automountServiceAccountToken: false
      containers:
      - name: hello
        image: $SMOKE_IMAGE
        imagePullPolicy: Never
        ports:
        - containerPort: 8080
        readinessProbe:
          httpGet: {path: /healthz, port: 8080}
          periodSeconds: 1
        securityContext:
          runAsNonRoot: true
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
---
apiVersion: v1
kind: Service
metadata:
  name: hello
  namespace: $ns
spec:
  type: NodePort
  selector: {app: hello}
  ports:
  - port: 80
    targetPort: 8080
EOF
	# The service account admission needs the namespace's "default"
	# ServiceAccount, which the controller manager creates.
	if ! kc -n "$ns" rollout status deployment/hello --timeout=120s >/dev/null; then
		kc -n "$ns" get pods -o wide >&2 || true
		kc -n "$ns" describe pods >&2 || true
		die "smoke: the Deployment did not become ready"
	fi
	local t_ready=$((SECONDS - t0))
	local port cip out i
	port=$(kc -n "$ns" get service hello -o 'jsonpath={.spec.ports[0].nodePort}')
	cip=$(kc -n "$ns" get service hello -o 'jsonpath={.spec.clusterIP}')
	for i in $(seq 1 40); do
		out=$(curl -fsS --max-time 2 "http://127.0.0.1:$port/" 2>/dev/null) && break
		sleep 0.5
	done
	[ -n "${out:-}" ] || die "smoke: no answer on http://127.0.0.1:$port/ (NodePort)"
	say "NodePort 127.0.0.1:$port -> $out"
	out=$(curl -fsS --max-time 2 "http://$cip/") || die "smoke: no answer on http://$cip/ (ClusterIP)"
	say "ClusterIP $cip:80 -> $out"
	for i in $(seq 1 20); do
		out=$(curl -fsS --max-time 8 "http://127.0.0.1:$port/resolve?name=hello" 2>&1) || true
		[ "$out" = "$cip" ] && break
		sleep 0.5
	done
	[ "$out" = "$cip" ] || die "smoke: the pod resolved its Service name \"hello\" to \"$out\", not $cip (cluster DNS)"
	say "cluster DNS: hello.$ns -> $out"
	say "smoke passed: Deployment ready in ${t_ready}s, total $((SECONDS - t0))s"
	if ! $keep; then
		kc delete namespace "$ns" --wait=false >/dev/null
	fi
}

# lock: one up/down at a time (the lock file sits beside the state dir, which
# "down --wipe" removes).
lock() {
	mkdir -p "$(dirname "$STATE")"
	exec 9>"$STATE.lock"
	flock -w 300 9 || die "another cluster.sh up/down holds $STATE.lock"
}

main() {
	local cmd=${1:-}
	[ $# -gt 0 ] && shift
	case "$cmd" in
	up)
		lock
		cmd_up
		;;
	down)
		lock
		cmd_down "$@"
		;;
	kubeconfig)
		[ -f "$KUBECONFIG_ADMIN" ] || die "no kubeconfig yet (bash deploy/kube/cluster.sh up)"
		echo "$KUBECONFIG_ADMIN"
		;;
	status) cmd_status ;;
	smoke) cmd_smoke "$@" ;;
	import)
		alive containerd || die "containerd is not running (bash deploy/kube/cluster.sh up)"
		import_images "$@"
		;;
	tag)
		[ $# -ge 2 ] || die "usage: cluster.sh tag IMAGE NEW-NAME..."
		alive containerd || die "containerd is not running (bash deploy/kube/cluster.sh up)"
		ctr_ images tag --force "$@" >/dev/null
		;;
	kubectl) kc "$@" ;;
	*)
		sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2
		exit 2
		;;
	esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	main "$@"
fi
