// Small programs for the local Kubernetes cluster of deploy/kube: the pause
// binary of every pod sandbox, a tiny HTTP server for the smoke check, and
// ocipack, which packs binaries into an OCI image archive for
// "ctr images import". Standard library only; a module of its own so the
// project's module does not carry it.
module backdesk.local/kubeimages

go 1.24.0
