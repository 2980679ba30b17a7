// Package clustertest installs the Backdesk chart on a real single-node
// Kubernetes cluster, the one deploy/kube builds from source and runs on
// this machine, and checks what a platform engineer meets on day one: the
// migration hook runs before the services roll out, every pod becomes
// ready through its own probes and runs as the chart says, a person signs
// in and reads a work item and that read is in the audit log, upgrades
// and rollbacks keep serving, helm test passes, and the server accepts
// every supported combination of values under Pod Security "restricted".
//
// The tests need root and take minutes, so they run only under
// `make test-kube` (which sets BACKDESK_KUBE_TEST=1); everywhere else they
// skip. PostgreSQL and Redis stay on the host, as managed services would,
// and the pods reach them through forwarders on the node's address.
package clustertest
